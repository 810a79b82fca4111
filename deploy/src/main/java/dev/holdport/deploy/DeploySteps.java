package dev.holdport.deploy;

import dev.holdport.config.ConfigDurations;
import dev.holdport.config.HostPort;
import dev.holdport.config.SlotConfig;
import dev.holdport.proxy.DrainResult;
import dev.holdport.proxy.Route;
import dev.holdport.proxy.RouteStatus;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The steps a deploy is made of (pause, drain, stop, start, ready, switch, resume): what each
 * does to the route and to the slots' processes, and the detail it records. Both flows use them,
 * {@link ForwardFlow} and {@link RollbackFlow}; each runs through {@link DeployRun#step}, which
 * records it and applies the time limits. Used by the deploy's thread only.
 *
 * <p>Once the new version has passed its ready step, every later forward step also watches its
 * process: when that process has exited as the step begins or ends (a waiting step ends at
 * once), the step fails and the deploy rolls back. A version that dies within its own deploy is
 * not a success, and the step that would release held clients to it ({@code resume}) or send new
 * ones ({@code switch}) checks just before acting, so clients are not handed to a process known
 * dead. An exit after the last step is a crash like any other: crash masking restarts it.
 */
final class DeploySteps {

    /** Watched in place of a process's exit when none of ours runs in the slot (an unsupervised slot). */
    private static final CompletableFuture<ProcessExit> NEVER = new CompletableFuture<>();
    /** How long the start step tries to connect to a slot's address to find another process on its port. */
    private static final Duration PORT_IN_USE_PROBE = Duration.ofMillis(500);

    private final DeployRun run;
    private final SupervisedRoute supervised;
    private final Route route;
    /**
     * When the pause this deploy made began (the route's pausedSince), until it resumes it; null
     * when it made none. A pause that began at another time (after someone resumed this one) is
     * not the deploy's to end.
     */
    private Instant deployPause;
    /** The exits of the processes this deploy started, by slot. */
    private final Map<String, CompletableFuture<ProcessExit>> startedHere = new HashMap<>();
    /** The new version's process once it was found ready (null before, and for an unsupervised slot). */
    private NewVersion newVersion;

    /** The process of the slot deployed, as started by this deploy. */
    private record NewVersion(String slot, SlotProcess process, CompletableFuture<ProcessExit> exit) {}

    DeploySteps(DeployRun run, SupervisedRoute supervised) {
        this.run = run;
        this.supervised = supervised;
        this.route = supervised.route;
    }

    void pause() throws StepFailure {
        step("pause", "", false, Duration.ZERO, budget -> {
            boolean wasPaused = route.status().paused();
            RouteStatus paused = route.pause();
            if (!wasPaused) {
                deployPause = paused.pausedSince();
                return "new connections are held";
            }
            return "the route was already paused";
        });
    }

    void resume(String slot) throws StepFailure {
        step("resume", slot, false, Duration.ZERO, budget -> {
            int held = route.status().held();
            route.resume(slot);
            deployPause = null;
            return "released " + held + " held connections to slot " + slot;
        });
    }

    /** Resume to the slot if this deploy (or the crash guard before it) paused; else only switch, leaving an operator's pause alone. */
    void resumeOrSwitch(String slot) throws StepFailure {
        RouteStatus status = route.status();
        if (holdsClients(status)) {
            resume(slot);
        } else {
            switchOnly(slot, status);
        }
    }

    /**
     * {@link #resumeOrSwitch}, for a slot whose running process this deploy did not start: held
     * clients are released to it only once its readiness check passes ({@link #readyBeforeResume});
     * when it is not ready the step fails. When no clients are held it only switches, and never
     * resumes: a crash pause beginning meanwhile (the active slot's process exits) stays paused
     * and crash masking resumes it once the slot is ready ({@code CrashGuard.afterDeploy}).
     */
    void resumeOrSwitchOnceReady(String slot) throws StepFailure {
        RouteStatus status = route.status();
        if (holdsClients(status)) {
            readyBeforeResume(slot);
            resumeOrSwitch(slot);
        } else {
            switchOnly(slot, status);
        }
    }

    private void switchOnly(String slot, RouteStatus status) throws StepFailure {
        if (!status.activeSlot().equals(slot)) {
            switchTo(slot, status.paused()
                    ? "the route stays paused (it was paused before the deploy)"
                    : "new connections go to slot " + slot);
        }
    }

    /**
     * When even the rollback failed and crash masking cannot take the route over: the route is
     * resumed to {@code slot} so clients are not held with nobody to release them. holdport
     * shutting down does not stop this step: it is one reason crash masking cannot take over.
     *
     * @param why why crash masking does not take over, for the record
     */
    void resumeAsLastResort(String slot, String why) throws StepFailure {
        run.stepEvenAtShutdown("resume", slot, budget -> {
            route.resume(slot);
            return "last resort (" + why + "): the route is resumed to slot " + slot + " so clients are not held";
        });
    }

    void switchTo(String slot, String detail) throws StepFailure {
        step("switch", slot, false, Duration.ZERO, budget -> {
            route.switchTo(slot);
            return detail;
        });
    }

    /** Waits for the relays that stopping {@code slot} would cut (all of them while paused). */
    void drain(String slot) throws StepFailure {
        Duration drainTimeout = supervised.config.drainTimeout();
        step("drain", slot, true, drainTimeout, budget -> {
            CompletableFuture<DrainResult> drained = route.drain(budget);
            NewVersion watched = watchedNewVersion();
            try {
                // Ends early when the new version's process exits: waiting on serves no one then.
                (watched == null ? drained : CompletableFuture.anyOf(drained, watched.exit()))
                        .get(budget.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new StepFailure("drain did not complete: " + e);
            }
            failIfNewVersionExited("");
            DrainResult result = drained.join();
            if (result.drained()) {
                return "relays ended after " + result.waited().toMillis() + " ms";
            }
            if (budget.compareTo(drainTimeout) < 0) {
                throw new StepFailure(result.remaining() + " relays still open when the deploy's time ran out");
            }
            return result.remaining() + " relays still open after drain.timeout (" + ConfigDurations.format(drainTimeout)
                    + "): stopping the slot cuts them";
        });
    }

    void stop(String slot) throws StepFailure {
        Optional<SlotProcess> process = supervised.process(slot);
        if (process.isEmpty()) {
            return; // not supervised: holdport does not stop what it did not start
        }
        Duration limit = process.get().slot().stopTimeout().plusSeconds(5);
        step("stop", slot, false, limit, budget -> {
            try {
                return process.get().stop();
            } catch (IOException e) {
                throw new StepFailure(e.getMessage());
            }
        });
    }

    void start(String slot) throws StepFailure {
        Optional<SlotProcess> process = supervised.process(slot);
        if (process.isEmpty()) {
            return; // not supervised: the slot is started by someone else; the ready step checks it
        }
        step("start", slot, false, Duration.ZERO, budget -> {
            HostPort address = process.get().slot().address();
            if (ReadinessCheck.answers(address, PORT_IN_USE_PROBE)) {
                throw new StepFailure(address + " already answers before slot " + slot
                        + " was started: another process holds its port");
            }
            try {
                CompletableFuture<ProcessExit> exit = process.get().start();
                startedHere.put(slot, exit);
                OptionalLong pid = process.get().pid();
                return (pid.isPresent() ? "pid " + pid.getAsLong() + " started" : "started (and already exited)")
                        + " in " + process.get().slot().path()
                        + ", output to " + process.get().log().file();
            } catch (IOException | IllegalStateException e) {
                throw new StepFailure("cannot start: " + e.getMessage());
            }
        });
    }

    void ready(String slot) throws StepFailure {
        ready(slot, supervised.slot(slot).ready().timeout());
    }

    /**
     * The rollback's check that {@code slot}'s process, which it did not start, is ready before
     * held clients are released to it: the slot's readiness check, bounded by its ready.timeout
     * or the deploy's timeout, whichever is shorter, counted from the start of this step. A
     * process that already ran needs no start-up time, so the deploy's timeout caps the wait; but
     * rollback steps are exempt from the deploy's deadline, so this step may end after that
     * deadline has passed (by up to that bound).
     */
    private void readyBeforeResume(String slot) throws StepFailure {
        Duration readyTimeout = supervised.slot(slot).ready().timeout();
        ready(slot, run.timeout().filter(t -> t.compareTo(readyTimeout) < 0).orElse(readyTimeout));
    }

    private void ready(String slot, Duration limit) throws StepFailure {
        SlotConfig config = supervised.slot(slot);
        Optional<SlotProcess> process = supervised.process(slot);
        CompletableFuture<ProcessExit> exit = startedHere.getOrDefault(slot,
                process.map(SlotProcess::exit).filter(e -> !e.isDone()).orElse(NEVER));
        step("ready", slot, true, limit, budget -> {
            int checks = new ReadinessCheck(route.name(), config).await(exit, budget,
                    process.map(SlotProcess::log).orElse(null));
            return config.ready().type().configName() + " check passed (" + checks + " checks)";
        });
        if (!run.inRollback() && startedHere.containsKey(slot)) {
            newVersion = new NewVersion(slot, process.orElseThrow(), startedHere.get(slot));
        }
    }

    /**
     * Runs a step through {@link DeployRun#step}; a forward step after the new version was found
     * ready also fails when that version's process has exited, as the step begins or ends.
     */
    private void step(String action, String slot, boolean waits, Duration limit, DeployRun.StepBody body)
            throws StepFailure {
        run.step(action, slot, waits, limit, budget -> {
            failIfNewVersionExited("");
            String detail = body.run(budget);
            failIfNewVersionExited(detail);
            return detail;
        });
    }

    /** The new version's process while forward steps run after its ready step; else null. */
    private NewVersion watchedNewVersion() {
        return run.inRollback() ? null : newVersion;
    }

    /** @param done what the step did before the exit was seen, for the record (empty if nothing) */
    private void failIfNewVersionExited(String done) throws StepFailure {
        NewVersion watched = watchedNewVersion();
        if (watched == null || !watched.exit().isDone()) {
            return;
        }
        ProcessExit exit = watched.exit().join();
        String tail = watched.process().log().tail(3);
        throw new StepFailure("slot " + watched.slot() + "'s new process " + exit.pid() + " " + exit.describe()
                + " after it was ready" + (done.isEmpty() ? "" : " (this step had done: " + done + ")")
                + (tail.isEmpty() ? "" : "; its last output: " + tail));
    }

    // ---- what the flows ask before choosing a step ----

    boolean running(String slot) {
        return supervised.process(slot).map(SlotProcess::alive).orElse(false);
    }

    boolean startedByThisDeploy(String slot) {
        return startedHere.containsKey(slot);
    }

    /** The route is still in a pause for a crash (by the guard before the deploy, or during it): this deploy resumes it. */
    boolean pausedForCrash() {
        return run.inCrashPause(route.status());
    }

    /**
     * The route is in a pause this deploy made (or a crash pause it took over), not in one an
     * operator made, even after resuming the deploy's.
     */
    boolean holdsClients(RouteStatus status) {
        return status.paused() && (status.pausedSince().equals(deployPause) || run.inCrashPause(status));
    }
}
