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
 */
public record HoldportConfig(
        TransportChoice transport,
        int eventLoopThreads,
        AdminConfig admin,
        Path stateFile,
        Duration shutdownDrainTimeout,
        List<RouteConfig> routes,
        Path stateDir) {

    public HoldportConfig {
        routes = List.copyOf(routes);
        if (stateDir == null && stateFile != null) {
            stateDir = defaultStateDir(stateFile);
        }
    }

    /** A config whose state directory is the state file's directory (the default). */
    public HoldportConfig(TransportChoice transport, int eventLoopThreads, AdminConfig admin, Path stateFile,
                          Duration shutdownDrainTimeout, List<RouteConfig> routes) {
        this(transport, eventLoopThreads, admin, stateFile, shutdownDrainTimeout, routes, null);
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
