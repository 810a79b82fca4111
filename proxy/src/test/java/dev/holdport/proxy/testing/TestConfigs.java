package dev.holdport.proxy.testing;

import dev.holdport.config.AdminConfig;
import dev.holdport.config.BackendSettings;
import dev.holdport.config.ConfigLoader;
import dev.holdport.config.HoldSettings;
import dev.holdport.config.HoldportConfig;
import dev.holdport.config.HostPort;
import dev.holdport.config.InvalidConfigException;
import dev.holdport.config.OnHoldTimeout;
import dev.holdport.config.ProxyProtocol;
import dev.holdport.config.RouteConfig;
import dev.holdport.config.TransportChoice;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Builds configs for tests. A route is read from HOCON by {@link ConfigLoader}, so every setting a
 * test does not name has its {@code reference.conf} default; tests change a few with {@link #with}.
 */
public final class TestConfigs {

    private TestConfigs() {}

    /** A route listening on a free loopback port with the given slots ({@code name -> port}), in the map's order. */
    public static RouteConfig route(String name, String active, Map<String, Integer> slotPorts) {
        StringBuilder hocon = new StringBuilder()
                .append("holdport.routes.").append(name).append(" {\n")
                .append("  listen = \"127.0.0.1:0\"\n")
                .append("  active = ").append(active).append('\n');
        // One slot a line: the loader keeps the order slots are written in.
        slotPorts.forEach((slot, port) -> hocon.append("  slots.%s { address = \"127.0.0.1:%d\", path = \"/opt/app/%s\" }\n"
                .formatted(slot, port, slot)));
        hocon.append("}\n");
        try {
            return ConfigLoader.parse(hocon.toString()).route(name);
        } catch (InvalidConfigException e) {
            throw new IllegalArgumentException("test route " + name + ": " + e.getMessage(), e);
        }
    }

    public static RouteConfig route(String active, Map<String, Integer> slotPorts) {
        return route("web", active, slotPorts);
    }

    public static HoldportConfig config(TransportChoice transport, Path stateFile, List<RouteConfig> routes) {
        return config(transport, 2, stateFile, routes);
    }

    public static HoldportConfig config(TransportChoice transport, int eventLoopThreads, Path stateFile, List<RouteConfig> routes) {
        return new HoldportConfig(transport, eventLoopThreads,
                new AdminConfig(new HostPort("127.0.0.1", 0), java.util.Optional.empty(), java.util.Optional.empty()),
                stateFile, Duration.ofSeconds(5), routes);
    }

    public static HoldportConfig config(TransportChoice transport, Path stateFile, RouteConfig route) {
        return config(transport, stateFile, List.of(route));
    }

    /** Record "withers" for the few fields tests change. */
    public static RouteConfig with(RouteConfig r, UnaryOperator<Builder> change) {
        return change.apply(new Builder(r)).build();
    }

    public static final class Builder {
        private RouteConfig r;

        Builder(RouteConfig r) {
            this.r = r;
        }

        public Builder listenPort(int port) {
            r = new RouteConfig(r.name(), new HostPort(r.listen().host(), port), r.backlog(), r.clientKeepalive(), r.slots(), r.active(), r.backend(),
                    r.hold(), r.pauseMaxDuration(), r.resumeMaxRate(), r.drainTimeout());
            return this;
        }

        public Builder hold(int max, Duration timeout, OnHoldTimeout onTimeout) {
            r = new RouteConfig(r.name(), r.listen(), r.backlog(), r.clientKeepalive(), r.slots(), r.active(), r.backend(),
                    new HoldSettings(max, timeout, onTimeout), r.pauseMaxDuration(), r.resumeMaxRate(), r.drainTimeout());
            return this;
        }

        public Builder clientKeepalive(Duration keepalive) {
            r = new RouteConfig(r.name(), r.listen(), r.backlog(), keepalive, r.slots(), r.active(), r.backend(),
                    r.hold(), r.pauseMaxDuration(), r.resumeMaxRate(), r.drainTimeout());
            return this;
        }

        public Builder backend(Duration connectTimeout, Duration retryRefusedFor) {
            r = new RouteConfig(r.name(), r.listen(), r.backlog(), r.clientKeepalive(), r.slots(), r.active(),
                    new BackendSettings(connectTimeout, retryRefusedFor), r.hold(), r.pauseMaxDuration(), r.resumeMaxRate(), r.drainTimeout());
            return this;
        }

        public Builder proxyProtocol(ProxyProtocol version) {
            r = new RouteConfig(r.name(), r.listen(), r.backlog(), r.clientKeepalive(), r.slots(), r.active(),
                    new BackendSettings(r.backend().connectTimeout(), r.backend().retryRefusedFor(), version), r.hold(),
                    r.pauseMaxDuration(), r.resumeMaxRate(), r.drainTimeout());
            return this;
        }

        public Builder pauseMaxDuration(Duration d) {
            r = new RouteConfig(r.name(), r.listen(), r.backlog(), r.clientKeepalive(), r.slots(), r.active(), r.backend(), r.hold(), d,
                    r.resumeMaxRate(), r.drainTimeout());
            return this;
        }

        public Builder resumeMaxRate(int rate) {
            r = new RouteConfig(r.name(), r.listen(), r.backlog(), r.clientKeepalive(), r.slots(), r.active(), r.backend(), r.hold(),
                    r.pauseMaxDuration(), rate, r.drainTimeout());
            return this;
        }

        public Builder backlog(int backlog) {
            r = new RouteConfig(r.name(), r.listen(), backlog, r.clientKeepalive(), r.slots(), r.active(), r.backend(), r.hold(),
                    r.pauseMaxDuration(), r.resumeMaxRate(), r.drainTimeout());
            return this;
        }

        RouteConfig build() {
            return r;
        }
    }
}
