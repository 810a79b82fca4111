package dev.holdport.deploy;

import java.util.Collection;

/** A route name holdport does not have (the API answers 404). */
public final class UnknownRouteException extends InvalidDeployException {

    private static final long serialVersionUID = 1L;

    private final String route;

    public UnknownRouteException(String route, Collection<String> known) {
        super("no route \"" + route + "\" (routes: " + String.join(", ", known) + ")");
        this.route = route;
    }

    public String route() {
        return route;
    }
}
