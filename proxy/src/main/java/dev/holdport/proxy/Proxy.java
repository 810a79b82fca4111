package dev.holdport.proxy;

import dev.holdport.config.HoldportConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The data plane of one holdport process: every route of a config, sharing one transport and
 * one set of event loops. The process-wide operations act on every route; each returns the
 * resulting status of every route.
 */
public final class Proxy implements AutoCloseable {

    /** Binds every route's listener and restores the state file; throws if a listener cannot bind. */
    public static Proxy start(HoldportConfig config) {
        return start(config, ProxyObserver.NONE);
    }

    public static Proxy start(HoldportConfig config, ProxyObserver observer) {
        throw new UnsupportedOperationException("in progress");
    }

    /** The transport in use (io_uring or NIO). */
    public String transportName() {
        throw new UnsupportedOperationException("in progress");
    }

    public List<Route> routes() {
        throw new UnsupportedOperationException("in progress");
    }

    public Optional<Route> route(String name) {
        throw new UnsupportedOperationException("in progress");
    }

    /** True while every route's listener is bound (readiness). */
    public boolean listenersBound() {
        throw new UnsupportedOperationException("in progress");
    }

    public List<RouteStatus> status() {
        throw new UnsupportedOperationException("in progress");
    }

    public List<RouteStatus> pause() {
        throw new UnsupportedOperationException("in progress");
    }

    public List<RouteStatus> resume() {
        throw new UnsupportedOperationException("in progress");
    }

    /** Resumes every route to {@code slot}; throws {@link UnknownSlotException} (changing nothing) if any route lacks it. */
    public List<RouteStatus> resume(String slot) {
        throw new UnsupportedOperationException("in progress");
    }

    /** Switches every route to {@code slot}; throws {@link UnknownSlotException} (changing nothing) if any route lacks it. */
    public List<RouteStatus> switchTo(String slot) {
        throw new UnsupportedOperationException("in progress");
    }

    public CompletableFuture<List<DrainResult>> drain(Duration timeout) {
        throw new UnsupportedOperationException("in progress");
    }

    /**
     * Graceful stop: stop accepting, let live relays finish within {@code drainTimeout}, close
     * what remains (held connections are closed with reason {@code shutdown}), release the
     * event loops. Safe to call more than once and from any thread.
     */
    public void shutdown(Duration drainTimeout) {
        throw new UnsupportedOperationException("in progress");
    }

    /** {@link #shutdown(Duration)} with no drain time. */
    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }
}
