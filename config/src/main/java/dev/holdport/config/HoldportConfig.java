package dev.holdport.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The whole, validated configuration ({@code holdport}).
 *
 * @param transport             which Netty transport to use
 * @param eventLoopThreads      data-plane threads; 0 = one per core
 * @param admin                 the control plane
 * @param stateFile             where the active slot and paused flag of each route survive a restart
 * @param shutdownDrainTimeout  on SIGTERM, live relays get this long to finish
 * @param routes                every route, in config order
 * @param stateDir              where supervised slots keep pid and log files and deploy history is
 *                              kept; by default the state file's directory
 * @param maxClientConnections  client connections open at once over all routes; 0 = derived
 *                              from the process's open-file limit
 */
public record HoldportConfig(
        TransportChoice transport,
        int eventLoopThreads,
        AdminConfig admin,
        Path stateFile,
        Duration shutdownDrainTimeout,
        List<RouteConfig> routes,
        Path stateDir,
        int maxClientConnections) {

    public HoldportConfig {
        routes = List.copyOf(routes);
        if (stateDir == null && stateFile != null) {
            stateDir = defaultStateDir(stateFile);
        }
    }

    /** A config whose state directory is the state file's directory and whose connection limit is derived (the defaults). */
    public HoldportConfig(TransportChoice transport, int eventLoopThreads, AdminConfig admin, Path stateFile,
                          Duration shutdownDrainTimeout, List<RouteConfig> routes) {
        this(transport, eventLoopThreads, admin, stateFile, shutdownDrainTimeout, routes, null, 0);
    }

    /** The same config with another client-connection limit (0 = derived from the open-file limit). */
    public HoldportConfig withMaxClientConnections(int max) {
        return new HoldportConfig(transport, eventLoopThreads, admin, stateFile, shutdownDrainTimeout, routes, stateDir, max);
    }

    public RouteConfig route(String name) {
        return routes.stream()
                .filter(r -> r.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no route " + name));
    }

    static Path defaultStateDir(Path stateFile) {
        Path parent = stateFile.toAbsolutePath().normalize().getParent();
        return parent == null ? stateFile.toAbsolutePath().getRoot() : parent;
    }
}
