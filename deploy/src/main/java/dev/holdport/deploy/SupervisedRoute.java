package dev.holdport.deploy;

import dev.holdport.config.RouteConfig;
import dev.holdport.config.SlotConfig;
import dev.holdport.proxy.Route;
import dev.holdport.proxy.UnknownSlotException;
import java.util.Map;
import java.util.Optional;

/**
 * One route as the deployer sees it: the proxy's route, the processes of its supervised slots,
 * its crash guard and the deploy running on it, if any. This object's monitor is the route's
 * one lock for "who acts on the route now": starting a deploy, a deploy ending, the crash guard
 * deciding to recover. It is never held while waiting on the network or for a process to stop.
 */
final class SupervisedRoute {

    final Route route;
    final RouteConfig config;
    private final Map<String, SlotProcess> processes;
    private CrashGuard guard;
    private DeployRun running;

    SupervisedRoute(Route route, Map<String, SlotProcess> processes) {
        this.route = route;
        this.config = route.config();
        this.processes = Map.copyOf(processes);
    }

    void guard(CrashGuard guard) {
        this.guard = guard;
    }

    CrashGuard guard() {
        return guard;
    }

    String name() {
        return route.name();
    }

    /** The slot's config; throws the proxy's {@link UnknownSlotException} for a name the route lacks. */
    SlotConfig slot(String name) {
        SlotConfig slot = config.slots().get(name);
        if (slot == null) {
            throw new UnknownSlotException(name(), name, config.slots().keySet());
        }
        return slot;
    }

    /** The slot's process, when the slot is supervised (has a start command). */
    Optional<SlotProcess> process(String slot) {
        return Optional.ofNullable(processes.get(slot));
    }

    Map<String, SlotProcess> processes() {
        return processes;
    }

    synchronized DeployRun running() {
        return running;
    }

    synchronized void begin(DeployRun run) {
        running = run;
    }

    synchronized void end(DeployRun run) {
        if (running == run) {
            running = null;
        }
    }
}
