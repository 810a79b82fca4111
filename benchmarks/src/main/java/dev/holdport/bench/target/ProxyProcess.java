package dev.holdport.bench.target;

import dev.holdport.bench.process.ChildProcess;
import dev.holdport.bench.process.PortProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A proxy started as a child process with a generated config, listening on one port per route.
 * Shared by HAProxy, nginx and holdport.
 */
class ProxyProcess implements Target {

    private final String name;
    private final ChildProcess process;
    private final Map<Route, Integer> listenPorts;

    ProxyProcess(String name, ChildProcess process, Map<Route, Integer> listenPorts) {
        this.name = name;
        this.process = process;
        this.listenPorts = Map.copyOf(listenPorts);
    }

    /**
     * Starts {@code command} (on the proxies' CPUs if the run has them) and waits until every
     * route's port accepts connections.
     */
    static ChildProcess launch(String name, List<String> command, LaunchContext context,
                               Map<Route, Integer> listenPorts) throws TargetUnavailable {
        Path log = context.workDir().resolve(name + ".log");
        ChildProcess process = ChildProcess.start(name, context.proxyCommand(command), log, context.pids());
        try {
            for (int port : listenPorts.values()) {
                PortProbe.awaitListening(port, Duration.ofSeconds(30), process::isAlive, name);
            }
            return process;
        } catch (IllegalStateException e) {
            process.stop();
            throw new TargetUnavailable(e.getMessage() + "; log: " + tail(log), e);
        }
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int port(Route route) {
        Integer port = listenPorts.get(route);
        if (port == null) {
            throw new IllegalArgumentException(name + " carries no " + route.id() + " route");
        }
        return port;
    }

    @Override
    public OptionalLong pid() {
        return OptionalLong.of(process.pid());
    }

    ChildProcess process() {
        return process;
    }

    @Override
    public void close() {
        process.stop();
    }
}
