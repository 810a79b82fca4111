package dev.holdport.deploy;

import dev.holdport.config.ConfigDurations;
import dev.holdport.proxy.Route;
import dev.holdport.proxy.RouteShutDownException;
import dev.holdport.proxy.RouteStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One deploy, run step by step on its own thread: the {@link ForwardFlow} of its mode, and when a
 * step fails, times out or is cancelled, the {@link RollbackFlow} that makes the previous slot
 * serve again. This class holds the deploy's state and records every step (start, duration,
 * outcome, detail), publishing every change as an immutable {@link Deploy} snapshot; what each
 * step does is in {@link DeploySteps}.
 *
 * <p>Cancelling interrupts only the steps that wait (ready, drain); a stop or start in progress
 * is finished first, so a rollback never finds a half-stopped process. Rollback steps cannot be
 * cancelled.
 *
 * <p>holdport shutting down ({@link #shutDown()}) stops the deploy at its next step boundary,
 * forward or rolling back alike (waiting steps end at once), so shutdown is never held up by a
 * readiness wait of minutes. Nothing is rolled back (further): the deploy ends
 * {@code interrupted}, and when it leaves the route paused with clients held it says so in its
 * failure ({@link DeployFailure#routeLeftPaused()}, and in words) and in the log. The processes
 * keep running for the next holdport to adopt, and the state file keeps the pause, whose start-up
 * log names the cut deploy.
 */
final class DeployRun implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(DeployRun.class);

    /** What a step does; returns the detail to record. */
    @FunctionalInterface
    interface StepBody {
        String run(Duration budget) throws StepFailure, NotReadyException, InterruptedException;
    }

    /** A step as it is being recorded. */
    private static final class StepRecord {
        final String action;
        final String slot;
        final boolean rollback;
        final Instant startedAt = Instant.now();
        final long startNanos = System.nanoTime();
        long durationNanos = -1;
        StepOutcome outcome = StepOutcome.RUNNING;
        String detail = "";

        StepRecord(String action, String slot, boolean rollback) {
            this.action = action;
            this.slot = slot;
            this.rollback = rollback;
        }

        DeployStep snapshot() {
            long nanos = durationNanos >= 0 ? durationNanos : System.nanoTime() - startNanos;
            // Whole milliseconds: what the JSON (and so the history) keeps.
            return new DeployStep(action, slot, rollback, startedAt, Duration.ofMillis(nanos / 1_000_000), outcome, detail);
        }
    }

    private final String id;
    private final SupervisedRoute supervised;
    private final Route route;
    private final String from;
    private final String to;
    private final DeployMode mode;
    private final boolean rollbackRequest;
    private final Optional<Duration> timeout;
    private final Instant startedAt = Instant.now();
    private final long deadlineNanos;
    /**
     * When the crash pause this deploy resumes at its end began (the guard's pause it took over,
     * or one the guard made during it); null when there is none.
     */
    private volatile Instant crashPause;
    private final Consumer<Deploy> publisher;
    private final CompletableFuture<Deploy> completion = new CompletableFuture<>();
    private final DeploySteps steps;
    private final ForwardFlow forward;
    private final RollbackFlow rollback;

    // Guarded by this.
    private final List<StepRecord> records = new ArrayList<>();
    private DeployState state = DeployState.RUNNING;
    private DeployFailure failure;
    private Instant finishedAt;
    private boolean cancelRequested;
    private boolean shuttingDown;
    private boolean inRollback;
    private boolean interruptible;
    private Thread worker;

    /**
     * @param crashPause     when the pause began that the crash guard had made for a recovery
     *                       this deploy takes over: the deploy resumes it at the end
     * @param publisher      receives a snapshot after every change
     */
    DeployRun(String id, SupervisedRoute supervised, String from, String to, DeployMode mode, boolean rollbackRequest,
              Optional<Duration> timeout, Optional<Instant> crashPause, Consumer<Deploy> publisher) {
        this.id = id;
        this.supervised = supervised;
        this.route = supervised.route;
        this.from = from;
        this.to = to;
        this.mode = mode;
        this.rollbackRequest = rollbackRequest;
        this.timeout = timeout;
        long now = System.nanoTime();
        this.deadlineNanos = timeout.map(t -> now + t.toNanos()).orElse(Long.MAX_VALUE);
        this.crashPause = crashPause.orElse(null);
        this.publisher = publisher;
        // One DeploySteps for both flows: the rollback undoes what the forward steps started and
        // paused. Only the deploy's thread uses them.
        this.steps = new DeploySteps(this, supervised);
        this.forward = new ForwardFlow(steps, from, to);
        this.rollback = new RollbackFlow(steps, supervised, from, to);
    }

    /**
     * Whether {@code deploy} (from the history) was interrupted by holdport shutting down and left
     * its route paused with the clients it held.
     */
    static boolean interruptedLeavingRoutePaused(Deploy deploy) {
        return deploy.state() == DeployState.INTERRUPTED
                && deploy.failure().map(DeployFailure::routeLeftPaused).orElse(false);
    }

    String id() {
        return id;
    }

    /** The deploy's time limit, if it has one. */
    Optional<Duration> timeout() {
        return timeout;
    }

    CompletableFuture<Deploy> completion() {
        return completion;
    }

    String describe() {
        return mode.label() + " to slot " + to + ", started " + startedAt;
    }

    synchronized Deploy snapshot() {
        List<DeployStep> stepSnapshots = new ArrayList<>(records.size());
        for (StepRecord step : records) {
            stepSnapshots.add(step.snapshot());
        }
        return new Deploy(id, route.name(), to, from, mode, rollbackRequest, timeout, startedAt,
                Optional.ofNullable(finishedAt), state, stepSnapshots, Optional.ofNullable(failure));
    }

    /**
     * Asks the deploy to stop and roll back. A waiting step ends at once; a stop or start in
     * progress first finishes. Returns false when it is already rolling back or finished.
     */
    synchronized boolean cancel() {
        if (state.finished() || inRollback) {
            return false;
        }
        cancelRequested = true;
        if (interruptible && worker != null) {
            worker.interrupt();
        }
        return true;
    }

    /**
     * The active slot's process crashed during this deploy and the crash guard paused the route
     * (the pause that began at {@code pausedSince}): the deploy resumes it when it ends, to
     * whichever slot is then active.
     */
    void takeOverCrashPause(Instant pausedSince) {
        crashPause = pausedSince;
    }

    /**
     * The route is in the crash pause this deploy took over, or that began during it: the deploy
     * resumes it. Not once someone else has resumed it, though they paused it again since: that
     * pause is theirs.
     */
    boolean inCrashPause(RouteStatus status) {
        Instant since = crashPause;
        return since != null && status.paused() && since.equals(status.pausedSince());
    }

    /** holdport is exiting: stop after the current step (a waiting one at once), without rolling back (further). */
    synchronized void shutDown() {
        shuttingDown = true;
        if (interruptible && worker != null) {
            worker.interrupt();
        }
    }

    @Override
    public void run() {
        synchronized (this) {
            worker = Thread.currentThread();
        }
        log.info("deploy {}: route {}: {} from slot {} to slot {}{}", id, route.name(), mode.label(), from, to,
                timeout.map(t -> " within " + ConfigDurations.format(t)).orElse(""));
        try {
            supervised.guard().awaitOwnStop();
            forward.run(mode);
            finish(DeployState.SUCCEEDED, null);
        } catch (StepFailure f) {
            afterFailure(new DeployFailure(f.step, f.reason), f.cancelled);
        } catch (RuntimeException | Error e) {
            // An Error too (a class that cannot load, say): the deploy must still end and roll
            // back, or its route would stay blocked by a deploy that runs forever.
            log.error("deploy {}: unexpected error", id, e);
            afterFailure(new DeployFailure(currentStepName(), "unexpected error: " + e), false);
        } finally {
            try {
                if (!snapshot().finished()) {
                    // Something escaped even the failure handling (the last resort threw, say): the
                    // deploy still ends, or its record and every poll of it would say running forever.
                    String why = "unexpected error while handling a failure";
                    if (isShuttingDown()) {
                        interrupted(currentStepName(), why + "; holdport shut down meanwhile");
                    } else {
                        boolean paused = steps.holdsClients(route.status());
                        finish(DeployState.FAILED, new DeployFailure(currentStepName(), why
                                + (paused ? "; the route is left paused" : ""), paused));
                    }
                }
            } catch (RuntimeException | Error e) {
                // Whatever happens here, the lines below must run: they free the route for the
                // next deploy and hand crash masking back its duty.
                log.error("deploy {}: could not record its end", id, e);
            }
            // One step under the route's lock: a crash just before this was held for this deploy
            // (crashPause), one just after is the guard's alone.
            synchronized (supervised) {
                supervised.end(this);
                supervised.guard().afterDeploy(inCrashPause(route.status()));
            }
            completion.complete(snapshot());
        }
    }

    private void afterFailure(DeployFailure cause, boolean cancelled) {
        boolean interrupted;
        synchronized (this) {
            interrupted = shuttingDown;
            if (!interrupted) {
                inRollback = true;
                interruptible = false;
            }
        }
        if (interrupted) {
            interrupted(cause.step(), "holdport shut down during the deploy");
            return;
        }
        Thread.interrupted(); // a cancel may have interrupted us just as the step ended
        log.warn("deploy {}: step {} {}: rolling back to slot {}", id, cause.step(),
                cancelled ? "was cancelled" : "failed (" + cause.reason() + ")", from);
        try {
            rollback.run();
            finish(cancelled ? DeployState.CANCELLED : DeployState.ROLLED_BACK, cause);
        } catch (StepFailure rollbackFailure) {
            rollbackFailed(cause, "at " + rollbackFailure.step + (rollbackFailure.cancelled ? "" : ", which failed: " + rollbackFailure.reason),
                    ", at " + rollbackFailure.step + ": " + rollbackFailure.reason);
        } catch (RuntimeException | Error e) {
            log.error("deploy {}: unexpected error while rolling back", id, e);
            rollbackFailed(cause, "after an unexpected error: " + e, ": unexpected error: " + e);
        }
    }

    /**
     * The rollback failed too. At shutdown the deploy is interrupted like any other (the route is
     * not resumed to a slot that may be dead); otherwise the last resort decides what serves.
     */
    private void rollbackFailed(DeployFailure cause, String whereInterrupted, String why) {
        if (isShuttingDown()) {
            interrupted(cause.step(), cause.reason() + "; holdport shut down while rolling back to slot " + from
                    + " (" + whereInterrupted + ")");
            return;
        }
        RollbackFlow.LastResort after = rollback.lastResort();
        finish(DeployState.FAILED, new DeployFailure(cause.step(), cause.reason() + "; the rollback failed too" + why
                + after.note(), after.routeLeftPaused()));
    }

    /**
     * holdport is shutting down: the deploy ends where it stands, recorded as interrupted. A route
     * this deploy paused stays paused (resuming now would hand the held clients to whatever half-
     * deployed slot is active, just as holdport closes them): that is said, not left to be found.
     */
    private void interrupted(String step, String reason) {
        RouteStatus status = route.status();
        boolean leftPaused = steps.holdsClients(status);
        String left = leftPaused
                ? "; route " + route.name() + " is left paused on slot " + status.activeSlot() + " (" + status.held()
                        + " held connections are closed as holdport exits; the next holdport starts with the route"
                        + " paused): check the slots, then resume or deploy"
                : "";
        synchronized (this) {
            state = DeployState.INTERRUPTED;
            failure = new DeployFailure(step, reason + left, leftPaused);
            finishedAt = Instant.now();
        }
        log.warn("deploy {}: interrupted, not rolled back{}: {}{}", id, inRollback() ? " further" : "", reason, left);
        publish();
    }

    /**
     * Runs and records one step. {@code limit} is the step's own time limit (zero for the
     * instant ones); before a failure, while not rolling back, the deploy's timeout may cut it.
     */
    void step(String action, String slot, boolean waits, Duration limit, StepBody body) throws StepFailure {
        step(action, slot, waits, limit, false, body);
    }

    /**
     * An instant step that holdport shutting down does not refuse: the last resort's resume after
     * a failed rollback, which must not leave the route paused with nobody to resume it.
     */
    void stepEvenAtShutdown(String action, String slot, StepBody body) throws StepFailure {
        step(action, slot, false, Duration.ZERO, true, body);
    }

    private void step(String action, String slot, boolean waits, Duration limit, boolean evenAtShutdown, StepBody body)
            throws StepFailure {
        StepRecord record = new StepRecord(action, slot, inRollback());
        String name = record.snapshot().name();
        synchronized (this) {
            // A cancel stops forward steps only; shutting down stops rollback steps too.
            if ((shuttingDown && !evenAtShutdown) || (!inRollback && cancelRequested)) {
                throw new StepFailure(name, shuttingDown ? "holdport shut down" : "cancelled", true);
            }
            records.add(record);
            // cancel() never interrupts once the rollback runs, so a waiting rollback step is
            // interrupted by shutDown() alone.
            interruptible = waits;
        }
        publish();
        Duration budget = limit;
        if (!record.rollback && deadlineNanos != Long.MAX_VALUE) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                finishStep(record, StepOutcome.FAILED, timeoutReason());
                throw new StepFailure(name, timeoutReason(), false);
            }
            budget = limit.toNanos() > left ? Duration.ofNanos(left) : limit;
        }
        try {
            String detail = body.run(budget);
            finishStep(record, StepOutcome.OK, detail);
            log.info("deploy {}: {}{}: {}", id, record.rollback ? "rollback: " : "", name, detail);
        } catch (InterruptedException e) {
            String reason = isShuttingDown() ? "holdport shut down" : "cancelled";
            finishStep(record, StepOutcome.CANCELLED, reason);
            throw new StepFailure(name, reason, true);
        } catch (NotReadyException e) {
            String reason = withDeadline(e.getMessage());
            finishStep(record, StepOutcome.FAILED, reason);
            throw new StepFailure(name, reason, false);
        } catch (StepFailure e) {
            String reason = withDeadline(e.reason);
            finishStep(record, StepOutcome.FAILED, reason);
            throw new StepFailure(name, reason, e.cancelled);
        } catch (RouteShutDownException e) {
            // The data plane stopped under a step that outlived the deployer's close.
            finishStep(record, StepOutcome.CANCELLED, "holdport shut down");
            throw new StepFailure(name, "holdport shut down", true);
        } catch (RuntimeException e) {
            log.error("deploy {}: step {} failed unexpectedly", id, name, e);
            finishStep(record, StepOutcome.FAILED, "unexpected error: " + e);
            throw new StepFailure(name, "unexpected error: " + e, false);
        } finally {
            synchronized (this) {
                interruptible = false;
                Thread.interrupted(); // no cancel can interrupt from here on, and none left behind
            }
        }
    }

    private String withDeadline(String reason) {
        if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos >= 0 && !inRollback()) {
            return timeoutReason() + ": " + reason;
        }
        return reason;
    }

    private String timeoutReason() {
        return "the deploy's timeout (" + timeout.map(ConfigDurations::format).orElse("-") + ") passed";
    }

    private void finishStep(StepRecord record, StepOutcome outcome, String detail) {
        synchronized (this) {
            record.durationNanos = System.nanoTime() - record.startNanos;
            record.outcome = outcome;
            record.detail = detail == null ? "" : detail;
        }
        publish();
    }

    private void finish(DeployState end, DeployFailure cause) {
        synchronized (this) {
            state = end;
            failure = cause;
            finishedAt = Instant.now();
        }
        if (end == DeployState.SUCCEEDED) {
            log.info("deploy {}: route {}: slot {} serves ({} ms)", id, route.name(), to,
                    Duration.between(startedAt, finishedAt).toMillis());
        } else {
            log.warn("deploy {}: route {}: {} at step {}: {}", id, route.name(), end.label(),
                    cause == null ? "-" : cause.step(), cause == null ? "" : cause.reason());
        }
        publish();
    }

    private void publish() {
        try {
            publisher.accept(snapshot());
        } catch (RuntimeException e) {
            log.warn("deploy {}: a progress listener failed: {}", id, e.toString());
        }
    }

    /** The forward steps failed and the rollback runs (or ran). */
    synchronized boolean inRollback() {
        return inRollback;
    }

    private synchronized boolean isShuttingDown() {
        return shuttingDown;
    }

    private synchronized String currentStepName() {
        for (StepRecord step : records) {
            if (step.outcome == StepOutcome.RUNNING) {
                return step.snapshot().name();
            }
        }
        return "-";
    }
}
