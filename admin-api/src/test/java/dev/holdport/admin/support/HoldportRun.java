package dev.holdport.admin.support;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code holdport run --config FILE [args]} as a child process, with what it logs: on stderr, or
 * on stdout when a test logback configuration is on the class path (a build that stops before
 * {@code package} puts the proxy's test classes there), so both are kept.
 */
public record HoldportRun(Process process, ChildOutput out, ChildOutput err) {

    public static HoldportRun start(String config, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("run", "--config", config));
        args.addAll(List.of(extraArgs));
        Process process = HoldportCommand.start(Map.of(), args);
        return new HoldportRun(process, ChildOutput.collect(process.getInputStream()),
                ChildOutput.collect(process.getErrorStream()));
    }

    /**
     * As {@link #start}, under an open-file limit of {@code files} ({@code ulimit -n}, soft and
     * hard, so the JVM cannot raise it).
     */
    public static HoldportRun startWithFileLimit(int files, String config) {
        List<String> command = new ArrayList<>(List.of("bash", "-c", "ulimit -n " + files + " && exec \"$@\"", "bash"));
        command.addAll(HoldportCommand.commandLine(List.of("run", "--config", config)));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> name.startsWith("HOLDPORT_") || name.equals("NOTIFY_SOCKET"));
        try {
            Process process = builder.start();
            return new HoldportRun(process, ChildOutput.collect(process.getInputStream()),
                    ChildOutput.collect(process.getErrorStream()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public String log() {
        return err.text() + out.text();
    }

    /** Waits until the process has ended its output, then returns all it logged. */
    public String awaitEnd() throws InterruptedException {
        return err.awaitEnd() + out.awaitEnd();
    }

    /** Waits until the admin API says ready; fails at once, with the log, if the process exits first. */
    public void awaitReady(Api api, Duration atMost) {
        await().atMost(atMost).ignoreExceptions().until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("holdport exited: " + log());
            }
            return api.get("/readyz").statusCode() == 200;
        });
    }
}
