package dev.holdport.deploy;

import dev.holdport.config.HostPort;
import dev.holdport.proxy.Route;
import dev.holdport.proxy.RouteStatus;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crash masking for one route. When the process of the route's active slot exits without
 * holdport having stopped it, the route is paused at once (new clients wait instead of failing),
 * the process is restarted with backoff until it is ready, and the route is resumed. The same
 * recovery serves the start-up rule: an active supervised slot on whose address nothing answers
 * when holdport starts is started before clients are let through.
 *
 * <p>A deploy outranks the guard: while one runs on the route the guard does nothing, and a
 * deploy that begins during a recovery ends it ({@link #standDown()}) and takes over the pause.
 * After a deploy the guard looks again at whatever slot is then active ({@link #afterDeploy}).
 * The one exception is a deploy whose rollback failed: after its last step it hands the route,
 * still paused, to the guard ({@link #takeOverFromFailedRollback}).
 * Only a pause the guard made itself (or took over) is resumed by it: a route an operator paused
 * stays paused. The guard tells its pause from another by when it began
 * ({@link RouteStatus#pausedSince()}): once an operator (or {@code pause.max-duration}) resumed
 * it, a later pause is not the guard's, even while its recovery goes on. It drops its ownership
 * as that pause ends, on the thread that ended it ({@link Route#onStateChange}): before that call
 * returns and before the proxy's state file records the change.
 *
 * <p>The guard's pause survives a holdport restart as the guard's: while it owns the route's
 * pause, a {@link CrashMaskingPauseFile} says so, and the next holdport, finding the route
 * restored paused with that file, hands the pause back to crash masking ({@link #startUp()}),
 * which resumes the route once the active slot's process runs and is ready.
 *
 * <p>Only the exit of a slot's <em>current</em> process counts: an exit reported late, once the
 * slot runs another process (a deploy or the guard replaced it), changes nothing. Exits holdport
 * caused by stopping a process are never reported here at all.
 */
final class CrashGuard {

    private static final Logger log = LoggerFactory.getLogger(CrashGuard.class);

    static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** How long the start-up rule tries to connect to the active slot's address before starting it. */
    private static final Duration PORT_IN_USE_PROBE = Duration.ofSeconds(1);

    private final SupervisedRoute route;
    private final Executor workers;
    private final CrashMaskingPause pause;
    private final Map<String, LongAdder> crashes = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> restarts = new ConcurrentHashMap<>();

    // Guarded by route's monitor.
    private long generation;
    private boolean recovering;
    /** The slot a recovery is for (its process restarted, or waited for); null when none runs. */
    private String recoveringSlot;
    /**
     * A slot whose recovery ended because another slot was made active: its process, if the
     * recovery had it running but not ready, is stopped rather than left to fight the new slot.
     */
    private String switchedAwayFrom;
    /**
     * The recovery only waits for a process holdport does not know (no pid file) to be ready on
     * the slot's address: it starts and stops nothing, and ends with the guard's pause.
     */
    private boolean leavingAlone;
    private boolean closed;
    private CompletableFuture<ProcessExit> stoodDown = new CompletableFuture<>();
    /** A stop of a process that never became ready, done outside the lock; completed when none runs. */
    private CompletableFuture<Void> ownStop = CompletableFuture.completedFuture(null);

    /** @param pauseFile where the guard keeps, across restarts, that it owns the route's pause */
    CrashGuard(SupervisedRoute route, Executor workers, CrashMaskingPauseFile pauseFile) {
        this.route = route;
        this.workers = workers;
        this.pause = new CrashMaskingPause(route, pauseFile);
        route.route.onStateChange(this::routeChanged);
    }

    long crashes(String slot) {
        LongAdder n = crashes.get(slot);
        return n == null ? 0 : n.sum();
    }

    /** Whether a recovery (crash masking's restart or wait) is under way. */
    boolean recovering() {
        synchronized (route) {
            return recovering;
        }
    }

    long restarts(String slot) {
        LongAdder n = restarts.get(slot);
        return n == null ? 0 : n.sum();
    }

    /**
     * At start-up, once the slots' processes were adopted where possible: hands a pause crash
     * masking made before holdport restarted back to crash masking, else applies the start-up rule,
     * unless a deploy left the route midway.
     *
     * @param unfinished the route's last deploy, when it did not finish and the route is paused
     *                   (see {@link CutShortDeploys#leftRouteMidway}): it may have stopped the
     *                   active slot and started the other (an exclusive deploy in its ready step),
     *                   and starting the active slot again would run both versions, which is what
     *                   that deploy's mode exists to avoid; the operator decides
     */
    void startUp(Optional<Deploy> unfinished) {
        Optional<CrashMaskingPauseFile.Saved> saved = pause.savedByLastHoldport();
        if (saved.isPresent() && takeBackPause(saved.get())) {
            return;
        }
        String active = route.route.status().activeSlot();
        if (unfinished.isPresent() && route.process(active).filter(p -> !p.alive()).isPresent()) {
            log.warn("route {}: deploy {} did not finish and left the route paused on slot {}, whose process is not"
                    + " running: holdport does not start it beside whatever that deploy started; check the slots,"
                    + " then deploy (or start it and resume)", route.name(), unfinished.get().id(), active);
            return;
        }
        route.process(active).ifPresent(process -> {
            if (process.alive()) {
                return;
            }
            HostPort address = process.slot().address();
            if (ReadinessCheck.answers(address, PORT_IN_USE_PROBE)) {
                log.warn("route {}: slot {} has a start command, but something already answers on {} and no pid file"
                        + " names it: holdport leaves it alone (it will not restart it, nor stop it in a deploy)",
                        route.name(), active, address);
                return;
            }
            recover(process, "at start-up nothing answers on " + address, false);
        });
    }

    /**
     * The route was paused by crash masking when the last holdport stopped, as {@code saved}
     * says. When the route was restored paused on that slot, and the slot is still supervised,
     * the pause is crash masking's again: it waits for the slot's process to be ready (starting
     * it when nothing runs there) and resumes the route then. Otherwise the file is stale and goes.
     *
     * @return whether the start-up is settled (the start-up rule is not to run)
     */
    private boolean takeBackPause(CrashMaskingPauseFile.Saved saved) {
        SlotProcess process;
        synchronized (route) {
            RouteStatus status = route.route.status();
            Optional<SlotProcess> supervised = route.process(status.activeSlot());
            if (!status.paused() || !saved.slot().equals(status.activeSlot()) || supervised.isEmpty()) {
                // The state file was lost or changed, or the config no longer supervises the slot:
                // whatever pause there is now, crash masking did not make it.
                log.warn("route {}: crash masking held the route paused for slot {} when holdport stopped, but the"
                        + " route starts {} on slot {}{}: crash masking does not take that over", route.name(),
                        saved.slot(), status.paused() ? "paused" : "open", status.activeSlot(),
                        supervised.isEmpty() ? " (not supervised: no start command)" : "");
                pause.discardSaved();
                return false;
            }
            process = supervised.get();
            log.warn("route {}: starts paused by crash masking, as the last holdport left it (paused since {}: {}):"
                    + " crash masking resumes it once slot {} is ready", route.name(), saved.pausedSince(),
                    saved.why(), saved.slot());
            // Owned from here on: should anyone end the pause meanwhile, the guard lets go at once.
            pause.own(saved.why());
            if (process.alive()) {
                recover(process, "the pause crash masking made before holdport restarted goes on", true, false);
                return true;
            }
        }
        // Outside the route's lock, as in the start-up rule: the probe waits on the network.
        HostPort address = process.slot().address();
        boolean answers = ReadinessCheck.answers(address, PORT_IN_USE_PROBE);
        synchronized (route) {
            if (closed || recovering || !pause.isCurrent()) {
                return true; // someone acted meanwhile (a deploy, an operator, a crash, shutdown)
            }
            if (answers && !process.alive()) {
                // A process no pid file names (say its pid file was lost to a SIGKILL of holdport while
                // it kept serving): holdport neither adopts nor stops it, but the pause stays crash
                // masking's and ends once that process passes the slot's readiness check.
                log.warn("route {}: something no pid file names answers on {}: holdport leaves it alone (it will not"
                        + " restart it, nor stop it in a deploy) and resumes the route once slot {}'s readiness check"
                        + " passes there", route.name(), address, saved.slot());
                recover(process, "the pause crash masking made before holdport restarted goes on", false, true);
            } else {
                recover(process, "the pause crash masking made before holdport restarted goes on", true, false);
            }
            return true;
        }
    }

    /** A supervised process exited without holdport stopping it (called off the reaper thread). */
    void exited(SlotProcess process, ProcessExit exit) {
        crashes.computeIfAbsent(process.name(), k -> new LongAdder()).increment();
        synchronized (route) {
            if (closed) {
                return;
            }
            if (!process.isCurrent(exit)) {
                // Reported after the slot got a new process (this callback runs on another thread
                // and may wait for the route's lock): the slot runs, nothing to mask.
                log.info("route {}: slot {}'s earlier process {} {}; the slot runs pid {} since: nothing to do",
                        route.name(), process.name(), exit.pid(), exit.describe(),
                        process.pid().isPresent() ? Long.toString(process.pid().getAsLong()) : "-");
                return;
            }
            DeployRun deploy = route.running();
            boolean active = route.route.status().activeSlot().equals(process.name());
            if (deploy != null) {
                if (active && !route.route.status().paused()) {
                    // The deploy decides what runs, but new clients wait rather than fail meanwhile.
                    deploy.takeOverCrashPause(route.route.pause().pausedSince());
                    log.warn("route {}: active slot {}'s process {} during deploy {}: new connections are held"
                            + " until the deploy ends", route.name(), process.name(), exit.describe(), deploy.id());
                } else {
                    log.info("route {}: slot {}'s process {} during deploy {}: the deploy handles it",
                            route.name(), process.name(), exit.describe(), deploy.id());
                }
                return;
            }
            if (!active) {
                log.info("route {}: slot {} is not active: not restarting its process", route.name(), process.name());
                return;
            }
            recover(process, "pid " + exit.pid() + " " + exit.describe(), true);
        }
    }

    /**
     * A deploy takes over the route: any recovery ends. Returns when the pause crash masking owned
     * began, if the route is still in it: the deploy takes that pause over.
     */
    Optional<Instant> standDown() {
        synchronized (route) {
            if (recovering) {
                log.info("route {}: a deploy takes over from the crash guard", route.name());
                endRecoveryLocked();
            }
            switchedAwayFrom = null; // the deploy decides about every slot's process now
            Optional<Instant> paused = pause.current();
            pause.disown();
            return paused;
        }
    }

    /**
     * After a deploy: recover the active slot if its supervised process is not running.
     *
     * @param heldForCrash the route is still paused for a crash during the deploy, which the
     *                     deploy did not resume: the guard resumes it (once the slot is ready)
     */
    void afterDeploy(boolean heldForCrash) {
        synchronized (route) {
            if (closed) {
                return; // holdport is shutting down: it neither restarts nor resumes anything now
            }
            if (heldForCrash) {
                pause.own("the active slot's process exited during a deploy");
            }
            String active = route.route.status().activeSlot();
            Optional<SlotProcess> process = route.process(active);
            if (process.isPresent() && !process.get().alive()) {
                recover(process.get(), "after the deploy, slot " + active + " is active but its process is not running", true);
            } else if (pause.held() && !recovering) {
                if (process.isPresent() && pause.isCurrent()) {
                    // Its process runs, but the deploy did not check it was ready after the crash
                    // pause began: the recovery resumes once its readiness check passes.
                    recover(process.get(), "after the deploy, the route is still paused for a crash and slot " + active
                            + "'s process runs", true);
                    return;
                }
                boolean resume = pause.isCurrent();
                pause.disown();
                if (resume) {
                    route.route.resume();
                    log.info("route {}: slot {} is not supervised: resumed after the deploy", route.name(), active);
                } else {
                    log.info("route {}: after the deploy, the pause held for a crash during it was already ended by"
                            + " someone else: crash masking does not resume the route{}", route.name(),
                            route.route.status().paused() ? " (it stays paused: crash masking did not pause it)" : "");
                }
            }
        }
    }

    /**
     * A deploy whose rollback failed leaves the route paused, holding clients, because the slot
     * it made active again has {@code process} not running: the guard restarts it with backoff
     * and resumes the route once it is ready, as after a crash, so the held clients wait for it
     * instead of being released to a dead process. Called on the deploy's thread after its last
     * step; the deploy then only records its end.
     *
     * @return false when the guard has stopped (holdport is shutting down) and so cannot take
     *     over: the caller must not leave the route paused with nobody to resume it
     */
    boolean takeOverFromFailedRollback(SlotProcess process, String why) {
        synchronized (route) {
            if (closed) {
                return false;
            }
            // Decided under the route's lock, as close() is: either the recovery starts here (and
            // close() ends it later), or close() came first and the caller resumes the route.
            pause.own(why);
            recover(process, why, true);
            return true;
        }
    }

    void close() {
        synchronized (route) {
            closed = true;
            if (pause.isCurrent()) {
                // The state file keeps the pause and the pause file keeps whose it is: the next
                // holdport hands it back to crash masking. Said here, so the log tells the story.
                log.warn("route {}: holdport stops while crash masking holds the route paused for slot {}: the next"
                        + " holdport starts it paused and crash masking resumes it once the slot is ready", route.name(),
                        route.route.status().activeSlot());
            } else {
                pause.disown();
            }
            endRecoveryLocked();
        }
    }

    /** A stop of a never-ready process the guard runs outside the lock; done when none runs. */
    CompletableFuture<Void> ownStop() {
        synchronized (route) {
            return ownStop;
        }
    }

    /**
     * Blocks until a stop the guard began before a deploy took over has ended, so the deploy's
     * first step finds the slot's process settled (stopped, not being stopped). A stop is bounded
     * (the slot's stop-timeout, then SIGKILL), so this is too. Called on the deploy's thread.
     */
    void awaitOwnStop() {
        CompletableFuture<Void> stop = ownStop();
        if (!stop.isDone()) {
            log.info("route {}: the deploy waits for the crash guard to finish stopping a process", route.name());
            stop.join();
        }
    }

    /** @param afterCrash count the starts as restarts (not so for the start-up rule) */
    private void recover(SlotProcess process, String why, boolean afterCrash) {
        recover(process, why, afterCrash, false);
    }

    /**
     * @param leaveAlone only wait for an unknown process (no pid file) on the slot's address to be
     *                   ready, starting and stopping nothing; the wait ends with the guard's pause
     */
    private void recover(SlotProcess process, String why, boolean afterCrash, boolean leaveAlone) {
        synchronized (route) {
            if (closed || recovering) {
                return;
            }
            recovering = true;
            recoveringSlot = process.name();
            switchedAwayFrom = null; // only the recovery that a switch ended may act on it
            leavingAlone = leaveAlone;
            long gen = ++generation;
            stoodDown = new CompletableFuture<>();
            if (!route.route.status().paused()) {
                route.route.pause();
                pause.own(why);
            }
            log.warn("route {}: {}: new connections are held while slot {} is {}", route.name(), why, process.name(),
                    leaveAlone ? "not ready" : "(re)started");
            workers.execute(() -> recoveryLoop(process, gen, afterCrash, leaveAlone));
        }
    }

    private void recoveryLoop(SlotProcess process, long gen, boolean afterCrash, boolean leaveAlone) {
        Duration backoff = FIRST_BACKOFF;
        ReadinessCheck readiness = new ReadinessCheck(route.name(), process.slot());
        for (int attempt = 1; ; attempt++) {
            CompletableFuture<ProcessExit> exit = null;
            CompletableFuture<ProcessExit> stop;
            String failure;
            if (!leaveAlone && !process.alive()) {
                process.endLeftovers(); // may wait up to stop-timeout: not under the route's lock
            }
            synchronized (route) {
                if (!current(gen)) {
                    return;
                }
                stop = stoodDown;
                try {
                    if (leaveAlone) {
                        exit = new CompletableFuture<>(); // not a process holdport knows: only the stand-down ends the wait
                    } else if (process.alive()) {
                        exit = process.exit();
                    } else {
                        exit = process.start();
                        if (afterCrash) {
                            restarts.computeIfAbsent(process.name(), k -> new LongAdder()).increment();
                        }
                    }
                    failure = null;
                } catch (IOException | RuntimeException e) {
                    failure = "cannot start: " + e.getMessage();
                }
            }
            if (exit != null) {
                try {
                    // Ends early when the process exits, or when a deploy takes over.
                    CompletableFuture<ProcessExit> watch = exit.applyToEither(stop, e -> e);
                    int checks = readiness.await(watch, process.slot().ready().timeout(), process.log());
                    synchronized (route) {
                        if (!current(gen)) {
                            return;
                        }
                        recovering = false;
                        leavingAlone = false;
                        boolean resume = pause.isCurrent();
                        pause.disown();
                        if (resume) {
                            route.route.resume();
                        }
                        log.info("route {}: slot {} is ready again (attempt {}, {} checks){}", route.name(),
                                process.name(), attempt, checks, resume ? ": resumed"
                                        : route.route.status().paused() ? " (the route stays paused: crash masking did"
                                                + " not pause it)" : "");
                    }
                    return;
                } catch (NotReadyException e) {
                    failure = e.getMessage();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (exit != null && !leaveAlone) {
                CompletableFuture<Void> stopping = new CompletableFuture<>();
                synchronized (route) {
                    boolean switchedAway = process.name().equals(switchedAwayFrom);
                    if (switchedAway) {
                        switchedAwayFrom = null; // this stop is the last thing the ended recovery does
                    } else if (!current(gen)) {
                        return;
                    }
                    ownStop = stopping;
                }
                // Outside the route's lock: a process ignoring SIGTERM takes the whole stop-timeout,
                // and what takes that lock (a deploy or rollback request, the deploy running on the
                // route, another slot's exit, holdport shutting down) must not wait for it. What
                // may interleave, and why it is safe:
                // - a deploy begins: it stands the guard down (this loop then ends at its next
                //   check) and its thread waits for this stop (awaitOwnStop) before its first step,
                //   so it never decides on a process that is half-stopped, and the process it
                //   starts itself cannot be the one stopped here;
                // - the process's exit: a stop marks it expected, so no exit report comes back here;
                // - close(): sets 'closed'; Deployer.close waits for this stop (ownStop) before
                //   holdport exits, and its stops of stop-on-exit slots are serialized with it by
                //   SlotProcess.
                try {
                    if (process.alive()) {
                        process.stop();
                    }
                } catch (IOException e) {
                    log.error("route {}: cannot stop slot {}'s process that never became ready: {}",
                            route.name(), process.name(), e.getMessage());
                } finally {
                    stopping.complete(null);
                }
            }
            synchronized (route) {
                if (!current(gen)) {
                    return; // ended meanwhile (a deploy, the pause's end while leaving alone, shutdown)
                }
            }
            log.warn("route {}: {} slot {} failed (attempt {}): {}; next attempt in {} ms", route.name(),
                    leaveAlone ? "waiting for the process no pid file names on" : "restarting", process.name(), attempt,
                    failure, backoff.toMillis());
            if (!waitFor(backoff, gen)) {
                return;
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    /** Waits out a backoff; false when the recovery ended meanwhile. */
    private boolean waitFor(Duration backoff, long gen) {
        long deadline = System.nanoTime() + backoff.toNanos();
        synchronized (route) {
            long left;
            while (current(gen) && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(route, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return current(gen);
        }
    }

    /**
     * After every change of the route ({@link Route#onStateChange}), on the thread that made it:
     * when the pause the guard owns has ended without it (an operator resumed the route, or
     * pause.max-duration did), the guard owns no pause any more, so that neither it nor the next
     * holdport resumes a later pause that is someone else's. Runs before the call that ended the
     * pause returns and before the state file records it: once that call has returned, the pause
     * file is gone, so a pause made after it is never taken for the guard's, even by a holdport
     * started after a {@code kill -9}.
     */
    private void routeChanged() {
        synchronized (route) {
            RouteStatus status = route.route.status();
            if (recovering && !status.activeSlot().equals(recoveringSlot)) {
                // Someone made another slot active: restarting the old one now would only fight the
                // new one (for a lock, a port), so the recovery ends, and with it crash masking's
                // claim on the pause: whoever switched resumes when the new slot serves.
                log.warn("route {}: slot {} is active now: crash masking stops recovering slot {}{}", route.name(),
                        status.activeSlot(), recoveringSlot, status.paused() && pause.isCurrent()
                                ? "; the route stays paused until someone resumes it" : "");
                pause.disown();
                switchedAwayFrom = leavingAlone ? null : recoveringSlot;
                endRecoveryLocked();
                return;
            }
            if (!pause.held() || pause.isCurrent()) {
                return;
            }
            log.info("route {}: the pause crash masking made was ended by someone else{}: crash masking will not"
                    + " resume the route", route.name(), status.paused() ? " (the route was paused again since)" : "");
            pause.disown();
            if (leavingAlone) {
                // Nothing to restart: the wait for that process was only ever for the pause.
                log.info("route {}: crash masking stops waiting for the process no pid file names on slot {}'s address",
                        route.name(), status.activeSlot());
                endRecoveryLocked();
            }
        }
    }

    private boolean current(long gen) {
        return recovering && !closed && generation == gen;
    }

    private void endRecoveryLocked() {
        if (recovering) {
            recovering = false;
            recoveringSlot = null;
            leavingAlone = false;
            generation++;
            stoodDown.complete(new ProcessExit(0, java.util.OptionalInt.empty(), true));
            route.notifyAll();
        }
    }
}
