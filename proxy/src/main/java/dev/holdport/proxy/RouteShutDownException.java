package dev.holdport.proxy;

/**
 * A pause, resume or switch asked of a route that is shutting down: it no longer accepts
 * connections, and its state no longer changes (the state file keeps what it was).
 */
public final class RouteShutDownException extends IllegalStateException {
    private final String route;

    public RouteShutDownException(String route) {
        super("route " + route + " is shutting down: its state can no longer change");
        this.route = route;
    }

    public String route() {
        return route;
    }
}
