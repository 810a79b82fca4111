package dev.holdport.bench.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A process this run started (a server, an external client, a client shard): its output goes to
 * a log file, its PID is listed in the {@link PidFile} until it is stopped, and it is stopped by
 * PID (SIGTERM, then SIGKILL after a grace period) together with any children it forked (nginx's
 * workers).
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
        return start(name, command, log, pidFile, new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))));
    }

    /**
     * Starts a process that reports to this JVM: its stdout is a pipe, read from {@link #output()};
     * its stdin is a pipe this JVM keeps open, which the child watches so it ends when this JVM
     * closes it ({@link #closeInput()}) or dies. Its stderr goes to the log.
     */
    public static ChildProcess startReporting(String name, List<String> command, Path log, PidFile pidFile) {
        return start(name, command, log, pidFile, new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())));
    }

    private static ChildProcess start(String name, List<String> command, Path log, PidFile pidFile, ProcessBuilder builder) {
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

    /** The process's stdout, if started with {@link #startReporting}. */
    public InputStream output() {
        return process.getInputStream();
    }

    /** Closes the process's stdin, which a process started with {@link #startReporting} takes as "stop". */
    public void closeInput() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // already closed, or the process is gone: either way it has its signal
        }
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
