package dev.holdport.deploy;

import java.time.Duration;
import java.time.Instant;

/**
 * One step of a deploy, as it stood when the snapshot was taken.
 *
 * @param action    {@code pause}, {@code drain}, {@code stop}, {@code start}, {@code ready},
 *                  {@code switch} or {@code resume}
 * @param slot      the slot it acts on; empty for {@code pause}, which acts on the route
 * @param rollback  true for the steps that undo a failed or cancelled deploy
 * @param startedAt when it began
 * @param duration  how long it took (so far, while running)
 * @param outcome   running, ok, failed or cancelled
 * @param detail    what happened, in a few words ("pid 4711 stopped by SIGTERM in 80 ms", the
 *                  reason of a failure); empty while running
 */
public record DeployStep(String action, String slot, boolean rollback, Instant startedAt, Duration duration,
                         StepOutcome outcome, String detail) {

    /** {@code "ready b"}, {@code "pause"}: how logs and failures name the step. */
    public String name() {
        return slot.isEmpty() ? action : action + " " + slot;
    }
}
