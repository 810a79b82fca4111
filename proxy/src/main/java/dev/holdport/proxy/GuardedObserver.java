package dev.holdport.proxy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes observations on to the configured observer, logging (at most once a second) instead of
 * throwing. Its hooks come between the gate counting a connection on a slot and the connect or
 * relay that ends the count: one that threw would leave the connection stuck and a drain waiting
 * for good.
 */
final class GuardedObserver implements ProxyObserver {

    private static final Logger log = LoggerFactory.getLogger(GuardedObserver.class);

    private final ProxyObserver observer;
    private final FailureLog failures = new FailureLog(log);

    GuardedObserver(ProxyObserver observer) {
        this.observer = observer;
    }

    @Override
    public void holdEnded(String route, long nanos) {
        try {
            observer.holdEnded(route, nanos);
        } catch (RuntimeException e) {
            failed(route, e);
        }
    }

    @Override
    public void backendConnected(String route, String slot, long nanos) {
        try {
            observer.backendConnected(route, slot, nanos);
        } catch (RuntimeException e) {
            failed(route, e);
        }
    }

    private void failed(String route, RuntimeException e) {
        failures.warn(() -> "route " + route + ": the proxy observer failed: " + e);
    }
}
