package dev.holdport.deploy;

import dev.holdport.config.ConfigDurations;
import dev.holdport.config.HostPort;
import dev.holdport.config.ReadySettings;
import dev.holdport.config.SlotConfig;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits until a slot is ready for traffic, as its {@code ready} settings say: a TCP connect to
 * its address, an HTTP GET answering 2xx, or a command exiting 0; {@code successes} times in a
 * row, one check every {@code interval}, within {@code timeout}. When the slot's process exits
 * first, the wait fails at once: a process that died at start is not waited on for a minute.
 */
final class ReadinessCheck {

    /** One check never takes longer than this (a hung health endpoint must not eat the whole budget). */
    private static final Duration ATTEMPT_CAP = Duration.ofSeconds(5);

    private final String route;
    private final SlotConfig slot;
    private final ReadySettings ready;

    ReadinessCheck(String route, SlotConfig slot) {
        this.route = route;
        this.slot = slot;
        this.ready = slot.ready();
    }

    /**
     * Blocks until the slot is ready.
     *
     * @param exit   the exit of the slot's process (a future that never completes for an
     *               unsupervised slot)
     * @param budget how long to wait at most (the readiness timeout, or less when a deploy's
     *               own timeout is nearer)
     * @param log    the slot's log, quoted when the process exits early (may be null)
     * @return how many checks it took
     * @throws NotReadyException    when the process exits or the budget passes first
     * @throws InterruptedException when the deploy is cancelled
     */
    int await(CompletableFuture<ProcessExit> exit, Duration budget, SlotLog log)
            throws NotReadyException, InterruptedException {
        long start = System.nanoTime();
        long deadline = start + budget.toNanos();
        int consecutive = 0;
        int attempts = 0;
        String lastFailure = "no check finished";
        while (true) {
            failIfExited(exit, log);
            long left = deadline - System.nanoTime();
            Duration attemptTimeout = Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(100),
                    Math.min(left, ATTEMPT_CAP.toNanos())));
            attempts++;
            String failure = checkOnce(attemptTimeout);
            failIfExited(exit, log);
            if (failure == null) {
                consecutive++;
                if (consecutive >= ready.successes()) {
                    return attempts;
                }
            } else {
                consecutive = 0;
                lastFailure = failure;
            }
            left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new NotReadyException("not ready within " + ConfigDurations.format(budget) + " (" + attempts + " checks; last: "
                        + lastFailure + ")");
            }
            // Wait for the next check, but wake at once when the process exits.
            try {
                exit.get(Math.min(left, ready.interval().toNanos()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // the interval passed: check again
            }
        }
    }

    /** One check; null when it passed, else why it failed. */
    String checkOnce(Duration timeout) throws InterruptedException {
        switch (ready.type()) {
            case TCP:
                return checkTcp(timeout);
            case HTTP:
                return checkHttp(timeout);
            case EXEC:
                return checkExec(timeout);
            default:
                throw new IllegalStateException("unknown ready type " + ready.type());
        }
    }

    /** The URL an http check GETs: {@code ready.url}, a bare path meaning that path on the slot's address. */
    String url() {
        String url = ready.url().orElse("/");
        return url.startsWith("/") ? "http://" + slot.address() + url : url;
    }

    /** True when something accepts a TCP connection on {@code address} within {@code timeout}. */
    static boolean answers(HostPort address, Duration timeout) {
        return tcpFailure(address, timeout) == null;
    }

    private String checkTcp(Duration timeout) {
        return tcpFailure(slot.address(), timeout);
    }

    private String checkHttp(Duration timeout) {
        String url = url();
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
            connection.setConnectTimeout(timeoutMillis(timeout));
            connection.setReadTimeout(timeoutMillis(timeout));
            connection.setInstanceFollowRedirects(false);
            connection.setUseCaches(false);
            int status = connection.getResponseCode();
            return status / 100 == 2 ? null : "GET " + url + " answered " + status;
        } catch (IOException | IllegalArgumentException e) {
            return "GET " + url + ": " + e;
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    private String checkExec(Duration timeout) throws InterruptedException {
        ProcessBuilder builder = SlotCommand.of(route, slot, ready.command())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process check;
        try {
            check = builder.start();
        } catch (IOException e) {
            return "cannot run " + ready.command().get(0) + ": " + e.getMessage();
        }
        try {
            if (!check.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                Signals.killCommand(check);
                return String.join(" ", ready.command()) + " still running after " + ConfigDurations.format(timeout);
            }
        } catch (InterruptedException e) {
            Signals.killCommand(check);
            throw e;
        }
        int status = check.exitValue();
        if (Signals.couldNotRun(status)) {
            return "cannot run " + ready.command().get(0) + " (status " + status + ": not found or not executable)";
        }
        return status == 0 ? null : String.join(" ", ready.command()) + " exited with status " + status;
    }

    private static void failIfExited(CompletableFuture<ProcessExit> exit, SlotLog log) throws NotReadyException {
        if (exit.isDone()) {
            ProcessExit how = exit.getNow(null);
            String tail = log == null ? "" : log.tail(3);
            throw new NotReadyException("process " + (how == null ? "exited" : how.pid() + " " + how.describe())
                    + " before it was ready" + (tail.isEmpty() ? "" : "; its last output: " + tail));
        }
    }

    /** Null when a TCP connect to {@code address} succeeds within {@code timeout}, else why not. */
    private static String tcpFailure(HostPort address, Duration timeout) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address.host(), address.port()), timeoutMillis(timeout));
            return null;
        } catch (IOException e) {
            return "tcp " + address + ": " + e.getMessage();
        }
    }

    private static int timeoutMillis(Duration timeout) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    }
}
