package dev.holdport.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running holdport that {@code run --take-over PID} replaces. The successor listens beside it
 * on the same ports ({@code SO_REUSEPORT}), so there is no moment without a listener; then this
 * one is asked to stop (SIGTERM: it stops accepting, lets its live relays finish within its drain
 * timeout, and exits). Only then does the successor take the admin API's port and the slot
 * processes, so two holdports never supervise the same process.
 *
 * <p>Java cannot adopt a listening socket from another process, so the sockets are new ones in
 * the same {@code SO_REUSEPORT} group. When the predecessor closes its sockets, connections still
 * in their accept queues are reset, unless the kernel moves them to the successor's sockets:
 * that is what {@code net.ipv4.tcp_migrate_req = 1} (Linux 5.14+) does.
 */
final class Predecessor {

    private static final Logger log = LoggerFactory.getLogger(Predecessor.class);
    static final Path MIGRATE_REQ = Path.of("/proc/sys/net/ipv4/tcp_migrate_req");
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);

    private final ProcessHandle process;

    private Predecessor(ProcessHandle process) {
        this.process = process;
    }

    /**
     * The holdport running as {@code pid}.
     *
     * @throws StartFailure (a usage error) when no such process runs, it is this process, it runs
     *     as another user (its sockets could not be joined, nor could it be signalled), or its
     *     command line is not a {@code holdport run}: a mistyped pid must not stop some other program
     */
    static Predecessor of(long pid) throws StartFailure {
        Optional<ProcessHandle> found = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (found.isEmpty()) {
            throw refused("no process " + pid + " is running");
        }
        ProcessHandle process = found.get();
        if (process.pid() == ProcessHandle.current().pid()) {
            throw refused("process " + pid + " is this holdport itself");
        }
        Optional<String> user = process.info().user();
        Optional<String> ownUser = ProcessHandle.current().info().user();
        if (user.isPresent() && ownUser.isPresent() && !user.equals(ownUser)) {
            throw refused("process " + pid + " runs as " + user.get() + ", this holdport as " + ownUser.get()
                    + ": take over as the same user");
        }
        String commandLine = commandLine(process);
        boolean holdport = commandLine.contains("holdport.jar") || commandLine.contains("dev.holdport.admin.Main");
        if (!holdport || !commandLine.contains(" run ")) {
            throw refused("process " + pid + " is not a holdport run (its command line: "
                    + (commandLine.isEmpty() ? "not readable" : abbreviate(commandLine)) + ")");
        }
        return new Predecessor(process);
    }

    /**
     * The process's whole command line. Read from {@code /proc} rather than through
     * {@code ProcessHandle.Info}, which gives up on long ones (a JVM with a long class path).
     */
    private static String commandLine(ProcessHandle process) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip();
        } catch (IOException | RuntimeException e) {
            return process.info().commandLine().orElse("");
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }

    private static StartFailure refused(String why) {
        return new StartFailure("the take-over", new IllegalArgumentException(why), true);
    }

    long pid() {
        return process.pid();
    }

    /** Says so when the kernel would reset, rather than move, what waits in the predecessor's accept queues. */
    static void warnIfQueuedConnectionsWouldBeReset() {
        String value;
        try {
            value = Files.readString(MIGRATE_REQ).trim();
        } catch (IOException e) {
            value = "unknown (" + e.getMessage() + ")";
        }
        if (!value.equals("1")) {
            log.warn("net.ipv4.tcp_migrate_req is {}: connections waiting in the predecessor's accept queue when it"
                    + " closes its listeners are reset instead of moved to this holdport; set it to 1 (sysctl) for a"
                    + " take-over that loses none", value);
        }
    }

    /**
     * Sends SIGTERM and waits for the process to exit; past {@code bound}, kills it (SIGKILL), as
     * systemd would at its stop timeout. Slot supervision and the admin API must not start while it
     * lives: two holdports would supervise the same processes.
     *
     * @param stopAsked completes when this holdport is itself asked to stop meanwhile: the wait
     *     ends there, leaving the predecessor to finish its own stop
     * @throws StartFailure when it cannot be signalled, is still alive after the kill, or
     *     {@code stopAsked} completed first ({@link StartFailure#isStopRequested()})
     */
    void stop(Duration bound, CompletableFuture<String> stopAsked) throws StartFailure {
        if (stopAsked.isDone()) {
            // Asked to stop before the predecessor was: it goes on serving, untouched.
            throw StartFailure.stopRequested("take-over given up on " + stopAsked.join()
                    + " before holdport pid " + process.pid() + " was asked to stop: it goes on serving");
        }
        log.info("take-over: listening beside holdport pid {}; asking it to stop (SIGTERM) and waiting up to {} for it to exit",
                process.pid(), DurationText.human(DurationText.seconds(bound)));
        if (!process.destroy() && process.isAlive()) {
            throw new StartFailure("the take-over", new IllegalStateException(
                    "cannot signal holdport pid " + process.pid() + "; it goes on serving"), false);
        }
        if (awaitExit(bound, stopAsked)) {
            log.info("take-over: holdport pid {} has exited", process.pid());
            return;
        }
        if (stopAsked.isDone()) {
            throw StartFailure.stopRequested("take-over given up on " + stopAsked.join() + ": holdport pid "
                    + process.pid() + " goes on stopping, this one has drained its own relays and stopped");
        }
        log.warn("take-over: holdport pid {} still runs after {}; killing it (SIGKILL)", process.pid(),
                DurationText.human(DurationText.seconds(bound)));
        process.destroyForcibly();
        if (!awaitExit(KILL_WAIT, new CompletableFuture<>())) {
            throw new StartFailure("the take-over", new IllegalStateException(
                    "holdport pid " + process.pid() + " is still alive after SIGKILL"), false);
        }
        log.info("take-over: holdport pid {} was killed", process.pid());
    }

    /** True once the process has exited; false at {@code bound} or when {@code stopAsked} completes first. */
    private boolean awaitExit(Duration bound, CompletableFuture<String> stopAsked) {
        try {
            CompletableFuture.anyOf(process.onExit(), stopAsked).get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // decided below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !process.isAlive();
    }
}
