package dev.holdport.proxy;

/**
 * Hooks for metrics that need every observation (histograms). Called on event-loop threads:
 * implementations must be non-blocking and cheap. One that throws is logged and ignored. Counters need no hook: read them from
 * {@link RouteStatus#totals()}.
 */
public interface ProxyObserver {

    ProxyObserver NONE = new ProxyObserver() {};

    /** A held connection left the hold queue (released, timed out or abandoned) after {@code nanos}. */
    default void holdEnded(String route, long nanos) {}

    /** A backend connection to {@code slot} was established, {@code nanos} after the first attempt. */
    default void backendConnected(String route, String slot, long nanos) {}
}
