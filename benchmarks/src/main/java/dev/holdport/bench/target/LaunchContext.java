package dev.holdport.bench.target;

import dev.holdport.bench.process.CpuLayout;
import dev.holdport.bench.process.FreePorts;
import dev.holdport.bench.process.PidFile;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What every proxy target needs to start: where to write its config and log, where to register
 * its PID, where to get free ports, the backend port behind each route, and the CPUs proxies run
 * on ({@code layout} null: wherever the scheduler puts them).
 */
public record LaunchContext(Path workDir, PidFile pids, FreePorts ports, Map<Route, Integer> backendPorts, CpuLayout layout) {

    /** {@code command} as a proxy is started: on the proxies' CPUs when the run has them. */
    List<String> proxyCommand(List<String> command) {
        return layout == null ? command : layout.onProxyCpus(command);
    }

    /** A fresh listen port for every route, for a proxy about to be configured. */
    Map<Route, Integer> newListenPorts() {
        Map<Route, Integer> listen = new EnumMap<>(Route.class);
        for (Route route : backendPorts.keySet()) {
            listen.put(route, ports.next());
        }
        return listen;
    }
}
