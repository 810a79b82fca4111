package dev.holdport.proxy;

/** A slot name that the route does not have (an API caller's mistake, not a server fault). */
public final class UnknownSlotException extends IllegalArgumentException {
    private final String route;
    private final String slot;

    public UnknownSlotException(String route, String slot, java.util.Collection<String> known) {
        super("route " + route + " has no slot \"" + slot + "\" (slots: " + String.join(", ", known) + ")");
        this.route = route;
        this.slot = slot;
    }

    public String route() {
        return route;
    }

    public String slot() {
        return slot;
    }
}
