package dev.holdport.deploy;

import dev.holdport.config.SlotConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process of one supervised slot (a slot with a {@code start} command). It is started in the
 * slot's install path, in its own process group, with {@code HOLDPORT_ROUTE}, {@code HOLDPORT_SLOT},
 * {@code HOLDPORT_HOST} and {@code HOLDPORT_PORT} set, its output appended to the slot's log file
 * and its pid written to the slot's pid file. Nothing ties its life to holdport's: when holdport
 * exits it keeps running, and the next holdport {@link #adopt() adopts} it from the pid file.
 *
 * <p>Start and stop are serialized: a stop never interleaves with a start of the same slot.
 */
final class SlotProcess {

    /** Called when the process ends without holdport having stopped it. */
    interface ExitListener {
        void exited(SlotProcess process, ProcessExit exit);
    }

    private static final Logger log = LoggerFactory.getLogger(SlotProcess.class);

    /** After SIGKILL, how long the process may take to disappear before the stop counts as failed. */
    static final Duration KILL_GRACE = Duration.ofSeconds(5);
    /** An adopted process is not holdport's child, so its exit is noticed by polling. */
    private static final long ADOPTED_POLL_MILLIS = 100;

    /** One run of the process, from start (or adoption) to exit. */
    private static final class Run {
        final ProcessHandle handle;
        final boolean ownGroup;
        final Instant startedAt;
        final boolean adopted;
        final CompletableFuture<ProcessExit> exit = new CompletableFuture<>();
        volatile boolean stopping;
        volatile ScheduledFuture<?> poll;

        Run(ProcessHandle handle, boolean ownGroup, Instant startedAt, boolean adopted) {
            this.handle = handle;
            this.ownGroup = ownGroup;
            this.startedAt = startedAt;
            this.adopted = adopted;
        }
    }

    private final String route;
    private final SlotConfig slot;
    private final PidFile pidFile;
    private final SlotLog slotLog;
    private final ScheduledExecutorService timer;
    private final Executor listenerExecutor;
    private final ExitListener listener;
    private final ReentrantLock operation = new ReentrantLock();
    private volatile Run current;
    private volatile ProcessExit lastExit;

    /**
     * @param directory        where the slot's pid and log files live ({@code <state-dir>/slots/<route>})
     * @param timer            polls adopted processes
     * @param listenerExecutor where {@code listener} is called
     */
    SlotProcess(String route, SlotConfig slot, Path directory, ScheduledExecutorService timer, Executor listenerExecutor,
                ExitListener listener) {
        this.route = route;
        this.slot = slot;
        this.pidFile = new PidFile(directory.resolve(slot.name() + ".pid"));
        this.slotLog = new SlotLog(directory.resolve(slot.name() + ".log"), SlotLog.DEFAULT_MAX_BYTES, SlotLog.DEFAULT_KEEP);
        this.timer = timer;
        this.listenerExecutor = listenerExecutor;
        this.listener = listener;
    }

    String route() {
        return route;
    }

    SlotConfig slot() {
        return slot;
    }

    String name() {
        return slot.name();
    }

    SlotLog log() {
        return slotLog;
    }

    Path pidFile() {
        return pidFile.path();
    }

    boolean alive() {
        Run run = current;
        return run != null && !run.exit.isDone() && run.handle.isAlive();
    }

    OptionalLong pid() {
        Run run = current;
        return run == null || run.exit.isDone() ? OptionalLong.empty() : OptionalLong.of(run.handle.pid());
    }

    Optional<ProcessExit> lastExit() {
        return Optional.ofNullable(lastExit);
    }

    /** The exit of the current process; an already completed future when none runs. */
    CompletableFuture<ProcessExit> exit() {
        Run run = current;
        if (run == null) {
            return CompletableFuture.completedFuture(new ProcessExit(0, OptionalInt.empty(), false));
        }
        return run.exit;
    }

    /**
     * True when {@code exit} is the exit of the slot's current process, not of one that has been
     * replaced since (by a start after it exited).
     */
    boolean isCurrent(ProcessExit exit) {
        Run run = current;
        return run != null && run.exit.getNow(null) == exit;
    }

    /**
     * Adopts the process named by the pid file if it is still running (and is the same process:
     * same start time, so a reused pid is not mistaken for it).
     *
     * @return true when a running process was adopted
     */
    boolean adopt() {
        operation.lock();
        try {
            if (alive()) {
                return true;
            }
            Optional<PidFile.Entry> entry = pidFile.read();
            if (entry.isEmpty()) {
                return false;
            }
            Optional<ProcessHandle> handle = ProcessHandle.of(entry.get().pid()).filter(ProcessHandle::isAlive);
            if (handle.isEmpty()) {
                log.info("route {} slot {}: the process of pid file {} (pid {}) is no longer running",
                        route, name(), pidFile.path(), entry.get().pid());
                pidFile.delete();
                return false;
            }
            Instant actual = handle.get().info().startInstant().orElse(null);
            Instant recorded = entry.get().startedAt();
            if (actual != null && recorded != null && Duration.between(recorded, actual).abs().toMillis() > 1000) {
                log.warn("route {} slot {}: pid {} of {} now belongs to another process (started {}, not {}): not adopting it",
                        route, name(), entry.get().pid(), pidFile.path(), actual, recorded);
                pidFile.delete();
                return false;
            }
            Run run = new Run(handle.get(), entry.get().ownGroup(), recorded != null ? recorded : actual, true);
            current = run;
            run.poll = timer.scheduleWithFixedDelay(() -> {
                if (!run.handle.isAlive()) {
                    ended(run, OptionalInt.empty());
                }
            }, ADOPTED_POLL_MILLIS, ADOPTED_POLL_MILLIS, TimeUnit.MILLISECONDS);
            log.info("route {} slot {}: adopted running process {} from {}", route, name(), run.handle.pid(), pidFile.path());
            return true;
        } finally {
            operation.unlock();
        }
    }

    /**
     * Starts the process (it must not be running).
     *
     * @return its exit, to watch while waiting for it to be ready
     * @throws IOException when it cannot be started (missing install path, program not found)
     */
    CompletableFuture<ProcessExit> start() throws IOException {
        operation.lock();
        try {
            if (alive()) {
                throw new IllegalStateException("route " + route + " slot " + name() + ": already running (pid "
                        + current.handle.pid() + ")");
            }
            Path dir = Path.of(slot.path());
            if (!Files.isDirectory(dir)) {
                throw new IOException("install path " + dir + " is not a directory");
            }
            endLeftoverGroup(current);
            try {
                slotLog.rotateIfFull();
                slotLog.mark("starting slot " + name() + " of route " + route + ": " + String.join(" ", slot.start()));
            } catch (IOException e) {
                // A full disk must not keep the slot from starting (nor crash masking from
                // restarting it): the log is for reading later, the process is for serving now.
                log.warn("route {} slot {}: cannot write its log {} ({}): starting it all the same", route, name(),
                        slotLog.file(), e.getMessage());
            }
            Process process = SlotCommand.of(route, slot, slot.start())
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(slotLog.file().toFile()))
                    .start();
            ProcessHandle handle = process.toHandle();
            Run run = new Run(handle, Signals.groupsSupported(), handle.info().startInstant().orElse(null), false);
            current = run;
            try {
                pidFile.write(new PidFile.Entry(handle.pid(), run.startedAt, run.ownGroup));
            } catch (IOException e) {
                log.warn("route {} slot {}: cannot write pid file {} ({}): a restarted holdport will not adopt pid {}",
                        route, name(), pidFile.path(), e.getMessage(), handle.pid());
            }
            process.onExit().whenComplete((p, error) -> ended(run, OptionalInt.of(p.exitValue())));
            log.info("route {} slot {}: started pid {} in {}: {} (output to {})", route, name(), handle.pid(), dir,
                    String.join(" ", slot.start()), slotLog.file());
            return run.exit;
        } finally {
            operation.unlock();
        }
    }

    /**
     * Stops the process: the stop command, or SIGTERM to its process group; SIGKILL when it is
     * still there after {@code stop-timeout}; anything left in its group gets the rest of that
     * time, then SIGKILL ({@link #endRestOfGroup}). Not
     * interruptible: a stop once begun is finished, so no half-stopped process is left behind.
     *
     * @return what happened, for the deploy record
     * @throws IOException when the process is still running even after SIGKILL
     */
    String stop() throws IOException {
        operation.lock();
        boolean interrupted = false;
        try {
            Run run = current;
            if (run == null || run.exit.isDone() || !run.handle.isAlive()) {
                pidFile.delete();
                return endLeftoverGroup(run) ? "its process had exited; stopped what it left in its group" : "was not running";
            }
            long pid = run.handle.pid();
            run.stopping = true;
            long startNanos = System.nanoTime();
            Duration timeout = slot.stopTimeout();
            String how;
            if (slot.stopsBySignal()) {
                signal(run, "TERM");
                how = "SIGTERM";
            } else {
                how = runStopCommand(pid, timeout);
            }
            Duration left = timeout.minusNanos(System.nanoTime() - startNanos);
            boolean exited = awaitExit(run, left.isNegative() ? Duration.ZERO : left);
            interrupted |= Thread.interrupted();
            String result;
            if (exited) {
                result = "pid " + pid + " stopped by " + how + " in " + millis(startNanos) + " ms";
            } else {
                log.warn("route {} slot {}: pid {} still running {} after {}: sending SIGKILL", route, name(), pid,
                        timeout, how);
                signal(run, "KILL");
                if (!awaitExit(run, KILL_GRACE)) {
                    throw new IOException("pid " + pid + " is still running after SIGKILL");
                }
                result = "pid " + pid + " killed (SIGKILL): still running " + timeout.toMillis() + " ms after " + how;
            }
            if (run.ownGroup && Signals.groupsSupported() && Signals.groupAlive(pid)) {
                result += "; " + endRestOfGroup(pid, slot.stopsBySignal(), timeout.minusNanos(System.nanoTime() - startNanos));
            }
            pidFile.delete();
            log.info("route {} slot {}: {}", route, name(), result);
            return result;
        } finally {
            operation.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private String runStopCommand(long pid, Duration timeout) {
        try {
            slotLog.mark("stopping pid " + pid + ": " + String.join(" ", slot.stop()));
            ProcessBuilder builder = SlotCommand.of(route, slot, slot.stop())
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(slotLog.file().toFile()));
            builder.environment().put("HOLDPORT_PID", Long.toString(pid));
            Process stopper = builder.start();
            if (!waitUninterruptibly(timeout, nanos -> stopper.waitFor(nanos, TimeUnit.NANOSECONDS))) {
                Signals.killCommand(stopper);
                log.warn("route {} slot {}: stop command still running after {}: killed it", route, name(), timeout);
            } else if (Signals.couldNotRun(stopper.exitValue())) {
                // Started through setsid, a missing or non-executable command is setsid's exit
                // status, not an exception: fall back to SIGTERM, as when it cannot start at all.
                log.warn("route {} slot {}: the stop command could not run (status {}: not found or not executable):"
                        + " using SIGTERM", route, name(), stopper.exitValue());
                signal(current, "TERM");
                return "SIGTERM (the stop command could not run)";
            } else if (stopper.exitValue() != 0) {
                log.warn("route {} slot {}: stop command exited with status {}", route, name(), stopper.exitValue());
            }
            return "stop command";
        } catch (IOException e) {
            log.warn("route {} slot {}: cannot run the stop command ({}): using SIGTERM", route, name(), e.getMessage());
            signal(current, "TERM");
            return "SIGTERM (the stop command could not run)";
        }
    }

    private void signal(Run run, String signal) {
        if (run.ownGroup && Signals.groupsSupported()) {
            Signals.toGroup(run.handle.pid(), signal);
        } else {
            Signals.toTree(run.handle, signal.equals("KILL"));
        }
    }

    private void ended(Run run, OptionalInt status) {
        ProcessExit exit = new ProcessExit(run.handle.pid(), status, run.stopping);
        if (!run.exit.complete(exit)) {
            return;
        }
        ScheduledFuture<?> poll = run.poll;
        if (poll != null) {
            poll.cancel(false);
        }
        lastExit = exit;
        if (!exit.expected()) {
            if (current == run) {
                pidFile.delete();
            }
            log.warn("route {} slot {}: pid {} {} (not stopped by holdport)", route, name(), exit.pid(), exit.describe());
            // Never on the process reaper's thread: a listener may wait for locks, and stop()
            // waits for the reaper to report the exit.
            listenerExecutor.execute(() -> listener.exited(this, exit));
        }
    }

    /**
     * Ends what a leader that died unasked left in its group ({@link #endLeftoverGroup}), if
     * anything. Crash masking calls it before it takes the route's lock to restart the slot, so
     * that the wait (up to {@code stop-timeout}) holds up no pause, resume or deploy.
     */
    void endLeftovers() {
        operation.lock();
        try {
            endLeftoverGroup(current);
        } finally {
            operation.unlock();
        }
    }

    /**
     * The leader has gone, but its group has not: a wrapper script that ran the server without
     * {@code exec}, say, exits at once on SIGTERM while the server it started (which got the same
     * signal) shuts down gracefully. That server gets what is left of {@code stop-timeout}, as the
     * leader had; SIGKILL only after. Either way the stop returns once the group is gone, so the
     * next step finds the port free (a killed process holds its socket until the kernel has torn
     * it down).
     *
     * @param signalled whether the group got SIGTERM already (a stop command may stop only the leader)
     */
    private String endRestOfGroup(long pgid, boolean signalled, Duration left) {
        long startNanos = System.nanoTime();
        if (!signalled) {
            Signals.toGroup(pgid, "TERM");
        }
        if (Signals.awaitGroupGone(pgid, left.isNegative() ? Duration.ZERO : left)) {
            return "what it left in its group ended " + millis(startNanos) + " ms later";
        }
        Signals.toGroup(pgid, "KILL");
        Signals.awaitGroupGone(pgid, KILL_GRACE);
        return "killed (SIGKILL) what it left in its group, still running at stop-timeout";
    }

    /**
     * A group leader that died unasked (a wrapper script killed, its server still running) leaves
     * its group behind, holding the slot's port: a restart would fail to bind, or pass its
     * readiness check against the orphan. So before a start, and on a stop that finds the leader
     * gone, the group goes too, as a stop would end it: SIGTERM, then SIGKILL after
     * {@code stop-timeout}. Called with {@code operation} held, so no start or stop overlaps it;
     * crash masking has paused the route before it restarts. Returns whether anything was left.
     */
    private boolean endLeftoverGroup(Run run) {
        if (run == null || !run.ownGroup || !run.exit.isDone() || !Signals.groupsSupported()) {
            return false;
        }
        long pgid = run.handle.pid();
        if (Signals.runs(pgid)) {
            // Our leader is dead, so a process with its number is another one (the number was
            // reused, which the kernel allows only once no group uses it): not ours to end.
            return false;
        }
        if (!Signals.groupAlive(pgid)) {
            return false;
        }
        log.warn("route {} slot {}: pid {} exited but left processes in its group: stopping them", route, name(), pgid);
        Signals.toGroup(pgid, "TERM");
        if (!Signals.awaitGroupGone(pgid, slot.stopTimeout())) {
            Signals.toGroup(pgid, "KILL");
            Signals.awaitGroupGone(pgid, KILL_GRACE);
        }
        return true;
    }

    /** Running, pid, start time and adoption from one look at the current process, so they agree. */
    SlotProcessStatus status(String route, long crashes, long restarts) {
        Run run = current;
        boolean running = run != null && !run.exit.isDone() && run.handle.isAlive();
        return new SlotProcessStatus(route, name(), true, running,
                running ? OptionalLong.of(run.handle.pid()) : OptionalLong.empty(),
                running ? Optional.ofNullable(run.startedAt) : Optional.empty(),
                running && run.adopted, crashes, restarts,
                lastExit().map(ProcessExit::describe), Optional.of(log().file()));
    }

    /** Waits up to {@code nanos} for something; true when it happened. */
    @FunctionalInterface
    private interface TimedWait {
        boolean await(long nanos) throws InterruptedException;
    }

    private static boolean awaitExit(Run run, Duration timeout) {
        return waitUninterruptibly(timeout, nanos -> {
            try {
                run.exit.get(nanos, TimeUnit.NANOSECONDS);
                return true;
            } catch (TimeoutException e) {
                return !run.handle.isAlive();
            } catch (ExecutionException e) {
                return true;
            }
        });
    }

    /**
     * Waits until {@code wait} says it is done or {@code timeout} passes, through interrupts (a
     * stop once begun is finished); an interrupt that came meanwhile is set again afterwards.
     */
    private static boolean waitUninterruptibly(Duration timeout, TimedWait wait) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                try {
                    return wait.await(Math.max(0, deadline - System.nanoTime()));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static long millis(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
