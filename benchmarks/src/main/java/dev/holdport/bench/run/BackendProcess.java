package dev.holdport.bench.run;

import dev.holdport.bench.process.ChildProcess;
import dev.holdport.bench.process.PidFile;
import dev.holdport.bench.process.PortProbe;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A backend JVM ({@code BenchMain backend}) on fixed ports, started from this JVM's own class
 * path. The deploy scenario stops it and starts it again on the same ports.
 */
public final class BackendProcess implements AutoCloseable {

    private final String name;
    private final Map<String, Integer> ports;
    private final Path workDir;
    private final PidFile pids;
    private ChildProcess process;

    /** {@code ports}: option name ("echo", "bulk", "http") → port. */
    BackendProcess(String name, Map<String, Integer> ports, Path workDir, PidFile pids) {
        this.name = name;
        this.ports = Map.copyOf(ports);
        this.workDir = workDir;
        this.pids = pids;
    }

    /** Starts the process and waits until every port listens. */
    public void start() {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseParallelGC",
                "-Dbench.transport=" + System.getProperty("bench.transport", ""),
                "-cp", System.getProperty("java.class.path"),
                "dev.holdport.bench.BenchMain", "backend"));
        ports.forEach((option, port) -> {
            command.add("--" + option);
            command.add(Integer.toString(port));
        });
        process = ChildProcess.start(name, command, workDir.resolve(name + ".log"), pids);
        for (int port : ports.values()) {
            PortProbe.awaitListening(port, Duration.ofSeconds(30), process::isAlive, name);
        }
    }

    /** Stops the process by PID (SIGTERM) and waits until it has exited. */
    public void stop() {
        if (process != null) {
            process.stop();
            process = null;
        }
    }

    @Override
    public void close() {
        stop();
    }
}
