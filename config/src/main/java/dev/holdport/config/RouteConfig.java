package dev.holdport.config;

import java.time.Duration;
import java.util.Map;

/**
 * One public listener and its slots ({@code holdport.routes.<route>}), with every per-route
 * default from {@code holdport.route-defaults} already applied.
 *
 * @param name             the route's name, {@code [a-z0-9-]+}
 * @param listen           the public address holdport accepts on
 * @param backlog          the listen backlog (clients wait there when holding is full)
 * @param clientKeepalive  TCP keepalive on client connections: silence before the first probe; zero = off
 * @param slots            the backends by name, in config order (unmodifiable)
 * @param active           the slot relayed to at start (a state file may override it)
 * @param backend          connect behaviour
 * @param hold             limits while paused
 * @param pauseMaxDuration a pause longer than this ends by itself; zero = no limit
 * @param resumeMaxRate    released connections per second on resume; 0 = unlimited
 * @param drainTimeout     how long a drain without its own timeout waits for old relays to end
 */
public record RouteConfig(
        String name,
        HostPort listen,
        int backlog,
        Duration clientKeepalive,
        Map<String, SlotConfig> slots,
        String active,
        BackendSettings backend,
        HoldSettings hold,
        Duration pauseMaxDuration,
        int resumeMaxRate,
        Duration drainTimeout) {

    /** The longest keepalive idle time Linux accepts ({@code TCP_KEEPIDLE}, seconds). */
    public static final Duration MAX_KEEPALIVE = Duration.ofSeconds(32_767);

    public RouteConfig {
        slots = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(slots));
    }

    public SlotConfig slot(String slotName) {
        SlotConfig slot = slots.get(slotName);
        if (slot == null) {
            throw new IllegalArgumentException("route " + name + " has no slot " + slotName);
        }
        return slot;
    }
}
