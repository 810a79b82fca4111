package dev.holdport.deploy;

import dev.holdport.proxy.RouteStatus;
import java.time.Instant;
import java.util.Optional;

/**
 * Which pause of a route crash masking owns: the one that began at {@code pausedSince} when it
 * paused the route (or took that pause over), kept in memory and, for the next holdport, in a
 * {@link CrashMaskingPauseFile}. Crash masking resumes only that pause; any other (an operator's,
 * a deploy's, one made after its own ended) is not its to end. Every method is called under the
 * route's lock ({@link SupervisedRoute}'s monitor).
 */
final class CrashMaskingPause {

    private final SupervisedRoute route;
    private final CrashMaskingPauseFile file;
    /** When the owned pause began (the route's pausedSince then); null when crash masking owns none. */
    private Instant owned;

    CrashMaskingPause(SupervisedRoute route, CrashMaskingPauseFile file) {
        this.route = route;
        this.file = file;
    }

    /** What the last holdport left: crash masking owned the route's pause when it stopped. */
    Optional<CrashMaskingPauseFile.Saved> savedByLastHoldport() {
        return file.read();
    }

    /** The saved pause is not crash masking's to take back. */
    void discardSaved() {
        file.delete();
    }

    /**
     * Crash masking owns the route's current pause from now on (if the route is paused): it
     * resumes it once the slot is ready, and the next holdport does the same should this one stop
     * first. Written after the pause began and deleted before crash masking resumes, so a crash of
     * holdport in between leaves the route paused, the safe side.
     */
    void own(String why) {
        RouteStatus status = route.route.status();
        if (!status.paused()) {
            return;
        }
        owned = status.pausedSince();
        file.write(new CrashMaskingPauseFile.Saved(status.activeSlot(), owned, why));
    }

    /** Crash masking owned a pause and has not let go of it (it may have ended meanwhile). */
    boolean held() {
        return owned != null;
    }

    /** The route is still in the pause crash masking owns (not resumed, nor paused again since). */
    boolean isCurrent() {
        if (owned == null) {
            return false;
        }
        RouteStatus status = route.route.status();
        return status.paused() && owned.equals(status.pausedSince());
    }

    /** When the pause crash masking owns began, while the route is still in it (see {@link #isCurrent}). */
    Optional<Instant> current() {
        return isCurrent() ? Optional.of(owned) : Optional.empty();
    }

    /** Crash masking owns no pause of the route from now on. */
    void disown() {
        if (owned != null) {
            owned = null;
            file.delete();
        }
    }
}
