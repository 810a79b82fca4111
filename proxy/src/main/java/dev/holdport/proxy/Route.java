package dev.holdport.proxy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One public listener, its slots and its gate. All operations are thread-safe and idempotent,
 * and return the route's status after the operation.
 */
public final class Route {

    public String name() {
        throw new UnsupportedOperationException("in progress");
    }

    /** The address the listener is bound to (the real port when the config said 0). */
    public InetSocketAddress listenAddress() {
        throw new UnsupportedOperationException("in progress");
    }

    /** New connections are held from now on. */
    public RouteStatus pause() {
        throw new UnsupportedOperationException("in progress");
    }

    /** Releases held connections, in arrival order, to the active slot. */
    public RouteStatus resume() {
        throw new UnsupportedOperationException("in progress");
    }

    /** Makes {@code slot} active, then resumes. */
    public RouteStatus resume(String slot) {
        throw new UnsupportedOperationException("in progress");
    }

    /** New (and released) connections go to {@code slot}; live relays to the old slot continue. */
    public RouteStatus switchTo(String slot) {
        throw new UnsupportedOperationException("in progress");
    }

    /** Completes when no relay uses a slot other than the active one, or when {@code timeout} passes. */
    public CompletableFuture<DrainResult> drain(Duration timeout) {
        throw new UnsupportedOperationException("in progress");
    }

    public RouteStatus status() {
        throw new UnsupportedOperationException("in progress");
    }
}
