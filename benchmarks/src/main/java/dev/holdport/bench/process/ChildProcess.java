package dev.holdport.bench.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server process this run started: its output goes to a log file, its PID is listed in the
 * {@link PidFile} until it is stopped, and it is stopped by PID (SIGTERM, then SIGKILL after a
 * grace period) together with any children it forked (nginx's workers).
 */
public final class ChildProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;
    private final PidFile pidFile;

    private ChildProcess(String name, Process process, Path log, PidFile pidFile) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.pidFile = pidFile;
    }

    public static ChildProcess start(String name, List<String> command, Path log, PidFile pidFile) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            Process process = builder.start();
            pidFile.add(process.pid(), name);
            return new ChildProcess(name, process, log, pidFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + String.join(" ", command), e);
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    /** Waits up to {@code timeout} for the process to exit by itself; returns its exit code, or -1 if still running. */
    public int awaitExit(java.time.Duration timeout) throws InterruptedException {
        if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            pidFile.remove(process.pid());
            return process.exitValue();
        }
        return -1;
    }

    /** Stops the process and its descendants by PID; waits until it has exited. Idempotent. */
    public void stop() {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        boolean exited = waitFor(10);
        if (!exited) {
            process.destroyForcibly();
            waitFor(10);
        }
        for (ProcessHandle child : children) {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
        pidFile.remove(process.pid());
    }

    private boolean waitFor(int seconds) {
        try {
            return process.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
