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
 */
public record HoldportConfig(
        TransportChoice transport,
        int eventLoopThreads,
        AdminConfig admin,
        Path stateFile,
        Duration shutdownDrainTimeout,
        List<RouteConfig> routes) {

    public HoldportConfig {
        routes = List.copyOf(routes);
    }

    public RouteConfig route(String name) {
        return routes.stream()
                .filter(r -> r.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no route " + name));
    }
}
