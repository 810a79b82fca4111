package dev.holdport.deploy;

import dev.holdport.config.HostPort;
import dev.holdport.config.SlotConfig;
import dev.holdport.proxy.DrainResult;
import dev.holdport.proxy.Route;
import dev.holdport.proxy.RouteStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One deploy, run step by step on its own thread: the forward steps of its mode, and when one
 * fails, times out or is cancelled, the rollback steps that make the previous slot serve again.
 * Every step is recorded (start, duration, outcome, detail) and every change published as an
 * immutable {@link Deploy} snapshot.
 *
 * <p>Cancelling interrupts only the steps that wait (ready, drain); a stop or start in progress
 * is finished first, so a rollback never finds a half-stopped process. Rollback steps cannot be
 * cancelled.
 */
final class DeployRun implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(DeployRun.class);

    /** A step did not succeed; carries the step's name and why. */
    private static final class StepFailure extends Exception {
        private static final long serialVersionUID = 1L;
        final String step;
        final String reason;
        final boolean cancelled;

        StepFailure(String step, String reason, boolean cancelled) {
            super(step + ": " + reason, null, false, false);
            this.step = step;
            this.reason = reason;
            this.cancelled = cancelled;
        }
    }

    /** What a step does; returns the detail to record. */
    @FunctionalInterface
    private interface StepBody {
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

    private static final CompletableFuture<ProcessExit> NEVER = new CompletableFuture<>();

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
    /** The route was paused for a crash (by the guard before the deploy, or during it): resume at the end. */
    private volatile boolean resumeAtEnd;
    private final Consumer<Deploy> publisher;
    private final CompletableFuture<Deploy> completion = new CompletableFuture<>();

    // Guarded by this.
    private final List<StepRecord> steps = new ArrayList<>();
    private DeployState state = DeployState.RUNNING;
    private DeployFailure failure;
    private Instant finishedAt;
    private boolean cancelRequested;
    private boolean shuttingDown;
    private boolean inRollback;
    private boolean interruptible;
    private Thread worker;

    // Used by the worker thread only.
    private boolean pausedByDeploy;
    private final Map<String, CompletableFuture<ProcessExit>> startedHere = new HashMap<>();

    /**
     * @param guardHadPaused the crash guard had paused the route for a recovery this deploy took
     *                       over: the deploy resumes it at the end
     * @param publisher      receives a snapshot after every change
     */
    DeployRun(String id, SupervisedRoute supervised, String from, String to, DeployMode mode, boolean rollbackRequest,
              Optional<Duration> timeout, boolean guardHadPaused, Consumer<Deploy> publisher) {
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
        this.resumeAtEnd = guardHadPaused;
        this.publisher = publisher;
    }

    String id() {
        return id;
    }

    CompletableFuture<Deploy> completion() {
        return completion;
    }

    String describe() {
        return mode.label() + " to slot " + to + ", started " + startedAt;
    }

    synchronized Deploy snapshot() {
        List<DeployStep> stepSnapshots = new ArrayList<>(steps.size());
        for (StepRecord step : steps) {
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
     * The active slot's process crashed during this deploy and the crash guard paused the route:
     * the deploy resumes it when it ends, to whichever slot is then active.
     */
    void resumeAtEnd() {
        resumeAtEnd = true;
    }

    /** holdport is exiting: stop after the current step, without rolling back. */
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
                timeout.map(t -> " within " + human(t)).orElse(""));
        try {
            forward();
            finish(DeployState.SUCCEEDED, null);
        } catch (StepFailure f) {
            afterFailure(new DeployFailure(f.step, f.reason), f.cancelled);
        } catch (RuntimeException | Error e) {
            // An Error too (a class that cannot load, say): the deploy must still end and roll
            // back, or its route would stay blocked by a deploy that runs forever.
            log.error("deploy {}: unexpected error", id, e);
            afterFailure(new DeployFailure(currentStepName(), "unexpected error: " + e), false);
        } finally {
            // One step under the route's lock: a crash just before this was held for this deploy
            // (resumeAtEnd), one just after is the guard's alone.
            synchronized (supervised) {
                supervised.end(this);
                supervised.guard().afterDeploy(resumeAtEnd && route.status().paused());
            }
            completion.complete(snapshot());
        }
    }

    private void afterFailure(DeployFailure cause, boolean cancelled) {
        boolean interrupted;
        synchronized (this) {
            interrupted = shuttingDown;
            if (interrupted) {
                state = DeployState.INTERRUPTED;
                failure = new DeployFailure(cause.step(), "holdport shut down during the deploy");
                finishedAt = Instant.now();
            } else {
                inRollback = true;
                interruptible = false;
            }
        }
        if (interrupted) {
            log.warn("deploy {}: holdport is shutting down: stopped at step {} without rolling back", id, cause.step());
            publish();
            return;
        }
        Thread.interrupted(); // a cancel may have interrupted us just as the step ended
        log.warn("deploy {}: step {} {}: rolling back to slot {}", id, cause.step(),
                cancelled ? "was cancelled" : "failed (" + cause.reason() + ")", from);
        try {
            rollBack();
            finish(cancelled ? DeployState.CANCELLED : DeployState.ROLLED_BACK, cause);
        } catch (StepFailure rollbackFailure) {
            lastResort();
            finish(DeployState.FAILED, new DeployFailure(cause.step(), cause.reason() + "; the rollback failed too, at "
                    + rollbackFailure.step + ": " + rollbackFailure.reason));
        } catch (RuntimeException e) {
            log.error("deploy {}: unexpected error while rolling back", id, e);
            lastResort();
            finish(DeployState.FAILED, new DeployFailure(cause.step(), cause.reason()
                    + "; the rollback failed too: unexpected error: " + e));
        }
    }

    // ---- the flows ----

    private void forward() throws StepFailure {
        switch (mode) {
            case SWITCH:
                stopLeftover(to);
                start(to);
                ready(to);
                switchTo(to, "new connections go to slot " + to + "; live relays to slot " + from + " continue");
                drain(from);
                stop(from);
                if (resumeAtEnd) {
                    resume(to);
                }
                break;
            case EXCLUSIVE:
                stopLeftover(to);
                pause();
                drain(from);
                stop(from);
                start(to);
                ready(to);
                resumeOrSwitch(to);
                break;
            case RESTART:
                pause();
                drain(to);
                stop(to);
                start(to);
                ready(to);
                resumeOrSwitch(to);
                break;
            default:
                throw new IllegalStateException("unknown mode " + mode);
        }
    }

    /**
     * Makes {@code from} serve again. When it still runs the version it ran before the deploy,
     * only the route changes back (and a started {@code to} is drained and stopped). When it was
     * stopped (or runs a new, failed version, in restart mode) clients are held, {@code to} is
     * stopped first (exclusive resources), then {@code from} is started, waited on, and resumed.
     */
    private void rollBack() throws StepFailure {
        RouteStatus status = route.status();
        Optional<SlotProcess> fromProcess = supervised.process(from);
        boolean fromServes = fromProcess.isEmpty()
                || (fromProcess.get().alive() && !startedHere.containsKey(from));
        if (fromServes) {
            resumeOrSwitch(from);
            if (!to.equals(from) && running(to)) {
                if (status.activeSlot().equals(to)) {
                    drain(to);
                }
                stop(to);
            }
            return;
        }
        if (!status.paused()) {
            pause();
        }
        if (!to.equals(from) && running(to)) {
            if (status.activeSlot().equals(to)) {
                drain(to);
            }
            stop(to);
        }
        if (running(from)) {
            stop(from);
        }
        start(from);
        ready(from);
        resumeOrSwitch(from);
    }

    /** When even the rollback failed: never leave clients held by this deploy. */
    private void lastResort() {
        RouteStatus status = route.status();
        if (status.paused() && (pausedByDeploy || resumeAtEnd)) {
            try {
                step("resume", from, false, Duration.ZERO, budget -> {
                    route.resume(from);
                    return "last resort: the route is resumed to slot " + from + " so clients are not held";
                });
            } catch (StepFailure ignored) {
                // recorded
            }
        }
    }

    // ---- the steps ----

    private void pause() throws StepFailure {
        step("pause", "", false, Duration.ZERO, budget -> {
            boolean wasPaused = route.status().paused();
            route.pause();
            if (!wasPaused) {
                pausedByDeploy = true;
                return "new connections are held";
            }
            return "the route was already paused";
        });
    }

    private void resume(String slot) throws StepFailure {
        step("resume", slot, false, Duration.ZERO, budget -> {
            int held = route.status().held();
            route.resume(slot);
            pausedByDeploy = false;
            return "released " + held + " held connections to slot " + slot;
        });
    }

    /** Resume to the slot if this deploy (or the crash guard before it) paused; else only switch, leaving an operator's pause alone. */
    private void resumeOrSwitch(String slot) throws StepFailure {
        RouteStatus status = route.status();
        if (status.paused() && (pausedByDeploy || resumeAtEnd)) {
            resume(slot);
        } else if (!status.activeSlot().equals(slot)) {
            switchTo(slot, status.paused()
                    ? "the route stays paused (it was paused before the deploy)"
                    : "new connections go to slot " + slot);
        }
    }

    private void switchTo(String slot, String detail) throws StepFailure {
        step("switch", slot, false, Duration.ZERO, budget -> {
            route.switchTo(slot);
            return detail;
        });
    }

    /** Waits for the relays that stopping {@code slot} would cut (all of them while paused). */
    private void drain(String slot) throws StepFailure {
        Duration drainTimeout = supervised.config.drainTimeout();
        step("drain", slot, true, drainTimeout, budget -> {
            DrainResult result;
            try {
                result = route.drain(budget).get(budget.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new StepFailure(null, "drain did not complete: " + e, false);
            }
            if (result.drained()) {
                return "relays ended after " + result.waited().toMillis() + " ms";
            }
            if (budget.compareTo(drainTimeout) < 0) {
                throw new StepFailure(null, result.remaining() + " relays still open when the deploy's time ran out", false);
            }
            return result.remaining() + " relays still open after drain.timeout (" + human(drainTimeout)
                    + "): stopping the slot cuts them";
        });
    }

    private void stopLeftover(String slot) throws StepFailure {
        if (!slot.equals(from) && running(slot)) {
            stop(slot);
        }
    }

    private void stop(String slot) throws StepFailure {
        Optional<SlotProcess> process = supervised.process(slot);
        if (process.isEmpty()) {
            return; // not supervised: holdport does not stop what it did not start
        }
        Duration limit = process.get().slot().stopTimeout().plusSeconds(5);
        step("stop", slot, false, limit, budget -> {
            try {
                return process.get().stop();
            } catch (IOException e) {
                throw new StepFailure(null, e.getMessage(), false);
            }
        });
    }

    private void start(String slot) throws StepFailure {
        Optional<SlotProcess> process = supervised.process(slot);
        if (process.isEmpty()) {
            return; // not supervised: the slot is started by someone else; the ready step checks it
        }
        step("start", slot, false, Duration.ZERO, budget -> {
            HostPort address = process.get().slot().address();
            if (answers(address)) {
                throw new StepFailure(null, address + " already answers before slot " + slot
                        + " was started: another process holds its port", false);
            }
            try {
                CompletableFuture<ProcessExit> exit = process.get().start();
                startedHere.put(slot, exit);
                OptionalLong pid = process.get().pid();
                return (pid.isPresent() ? "pid " + pid.getAsLong() + " started" : "started (and already exited)")
                        + " in " + process.get().slot().path()
                        + ", output to " + process.get().log().file();
            } catch (IOException | IllegalStateException e) {
                throw new StepFailure(null, "cannot start: " + e.getMessage(), false);
            }
        });
    }

    private void ready(String slot) throws StepFailure {
        SlotConfig config = supervised.slot(slot);
        Optional<SlotProcess> process = supervised.process(slot);
        CompletableFuture<ProcessExit> exit = startedHere.getOrDefault(slot,
                process.map(SlotProcess::exit).filter(e -> !e.isDone()).orElse(NEVER));
        step("ready", slot, true, config.ready().timeout(), budget -> {
            int checks = new ReadinessCheck(route.name(), config).await(exit, budget,
                    process.map(SlotProcess::log).orElse(null));
            return config.ready().type().configName() + " check passed (" + checks + " checks)";
        });
    }

    private boolean running(String slot) {
        return supervised.process(slot).map(SlotProcess::alive).orElse(false);
    }

    /**
     * Runs and records one step. {@code limit} is the step's own time limit (zero for the
     * instant ones); before a failure, while not rolling back, the deploy's timeout may cut it.
     */
    private void step(String action, String slot, boolean waits, Duration limit, StepBody body) throws StepFailure {
        StepRecord record = new StepRecord(action, slot, inRollback());
        String name = record.snapshot().name();
        synchronized (this) {
            if (!inRollback && (cancelRequested || shuttingDown)) {
                throw new StepFailure(name, shuttingDown ? "holdport shut down" : "cancelled", true);
            }
            steps.add(record);
            interruptible = waits && !inRollback;
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
        return "the deploy's timeout (" + timeout.map(DeployRun::human).orElse("-") + ") passed";
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

    private synchronized boolean inRollback() {
        return inRollback;
    }

    private synchronized boolean isShuttingDown() {
        return shuttingDown;
    }

    private synchronized String currentStepName() {
        for (StepRecord step : steps) {
            if (step.outcome == StepOutcome.RUNNING) {
                return step.snapshot().name();
            }
        }
        return "-";
    }

    /** {@code 90s}, {@code 1500ms}: as a config file would write it. */
    static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    private static boolean answers(HostPort address) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address.host(), address.port()), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
