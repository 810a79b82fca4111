package dev.holdport.bench.target;

import java.util.Map;
import java.util.OptionalLong;

/** No proxy: clients connect straight to the backends. The reference every ratio is taken against. */
public final class DirectTarget implements Target {

    private final Map<Route, Integer> backendPorts;

    public DirectTarget(Map<Route, Integer> backendPorts) {
        this.backendPorts = Map.copyOf(backendPorts);
    }

    @Override
    public String name() {
        return "direct";
    }

    @Override
    public int port(Route route) {
        return backendPorts.get(route);
    }

    @Override
    public OptionalLong pid() {
        return OptionalLong.empty();
    }

    @Override
    public void close() {
        // the backends belong to the run, not to this target
    }
}
