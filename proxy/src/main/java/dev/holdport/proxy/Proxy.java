package dev.holdport.proxy;

import dev.holdport.config.HoldportConfig;
import dev.holdport.config.RouteConfig;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data plane of one holdport process: every route of a config, sharing one transport and
 * one set of event loops. The process-wide operations act on every route; each returns the
 * resulting status of every route.
 */
public final class Proxy implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Proxy.class);

    private final Transport transport;
    private final EventLoopGroup group;
    private final StateFile stateFile;
    private final Map<String, Route> routes = new LinkedHashMap<>();
    private final ConnectionLimit limit;
    private final Object persistLock = new Object();
    private boolean shutDown;

    private Proxy(HoldportConfig config, ProxyObserver observer) {
        this.transport = Transport.choose(config.transport());
        this.stateFile = new StateFile(config.stateFile());
        Map<String, SavedRouteState> saved = readStateFile();
        MultiThreadIoEventLoopGroup loops = transport.newEventLoopGroup(config.eventLoopThreads());
        this.group = loops;
        this.limit = ConnectionLimit.of(config, transport.name().equals("io_uring"), loops.executorCount(),
                () -> routes.values().forEach(Route::applyAccepting));
        EarlyDataBudget earlyData = EarlyDataBudget.fromSystem();
        for (RouteConfig rc : config.routes()) {
            SavedRouteState state = saved.get(rc.name());
            String active = rc.active();
            boolean paused = false;
            if (state != null) {
                if (!rc.slots().containsKey(state.active())) {
                    log.warn("route {}: the state file names slot {}, which the config no longer has: using slot {} from the config",
                            rc.name(), state.active(), rc.active());
                } else {
                    if (!state.active().equals(rc.active())) {
                        log.info("route {}: active slot {} restored from the state file (the config says {})",
                                rc.name(), state.active(), rc.active());
                    }
                    active = state.active();
                }
                paused = state.paused();
            }
            routes.put(rc.name(), new Route(rc, transport, group, observer, active, paused, this::persist, limit, earlyData));
        }
    }

    /** Binds every route's listener and restores the state file; throws if a listener cannot bind. */
    public static Proxy start(HoldportConfig config) {
        return start(config, ProxyObserver.NONE);
    }

    public static Proxy start(HoldportConfig config, ProxyObserver observer) {
        return start(config, observer, false);
    }

    /**
     * @param besidePredecessor listen beside a holdport that still serves the same ports (taking
     *     over from it) rather than insisting that they are free. Refused while the state file
     *     says a route is paused: the predecessor holds that route's clients, and stopping it
     *     would close them.
     */
    public static Proxy start(HoldportConfig config, ProxyObserver observer, boolean besidePredecessor) {
        Proxy proxy = new Proxy(config, observer);
        log.info("data plane: {} transport{}", proxy.transport.name(),
                proxy.transport.name().equals("nio") && !Transport.ioUringAvailable()
                        ? " (io_uring unavailable: " + Transport.ioUringUnavailableReason() + ")" : "");
        try {
            if (besidePredecessor) {
                refuseTakeOverWhilePaused(proxy);
            }
            for (Route route : proxy.routes.values()) {
                route.bind(besidePredecessor);
            }
        } catch (RuntimeException e) {
            proxy.close();
            throw e;
        }
        if (!besidePredecessor) {
            // Beside a predecessor the file is still its own: a change it makes meanwhile must
            // not be overwritten with what this process read (followStateLeftByPredecessor).
            proxy.persist();
        }
        return proxy;
    }

    /**
     * Takes on what a predecessor left in the state file as it stopped. A holdport taking over
     * reads the file when it starts, but the one it replaces still answers its admin API while it
     * drains, so a switch or a pause made there in the meantime would otherwise be lost: the
     * successor would go on sending clients to the slot it read first. Call once the predecessor
     * has exited; until then this process has no API, so nothing else changes its routes.
     */
    public void followStateLeftByPredecessor() {
        Map<String, SavedRouteState> saved = readStateFile();
        for (Route route : routes.values()) {
            SavedRouteState left = saved.get(route.name());
            if (left == null || !route.config.slots().containsKey(left.active())) {
                continue;
            }
            RouteStatus now = route.status();
            if (!left.active().equals(now.activeSlot())) {
                log.info("route {}: the previous holdport switched to slot {} while it stopped: following it",
                        route.name(), left.active());
                route.switchTo(left.active());
            }
            if (left.paused() && now.state() != GateState.PAUSED) {
                // Its held clients were closed as it stopped; new ones wait here for the resume
                // the deploy that paused it will send (now answered by this process).
                log.warn("route {}: the previous holdport was paused while it stopped: pausing too; resume when ready",
                        route.name());
                route.pause();
            }
        }
        persist();
    }

    private static void refuseTakeOverWhilePaused(Proxy proxy) {
        List<String> paused = proxy.routes.values().stream()
                .filter(route -> route.status().state() == GateState.PAUSED)
                .map(Route::name)
                .toList();
        if (!paused.isEmpty()) {
            throw new IllegalStateException("cannot take over while route(s) " + String.join(", ", paused)
                    + " are paused (state file " + proxy.stateFile.path() + "): the running holdport holds their clients and"
                    + " would close them as it stops; resume first, or let the deploy finish");
        }
    }

    private Map<String, SavedRouteState> readStateFile() {
        try {
            return stateFile.read();
        } catch (IOException e) {
            log.warn("state file {} is unreadable ({}): ignoring it and starting every route from the config",
                    stateFile.path(), e.getMessage());
            return Map.of();
        }
    }

    /** Writes every route's state; the newest state always wins, whichever thread writes last. */
    private void persist() {
        synchronized (persistLock) {
            Map<String, SavedRouteState> state = new LinkedHashMap<>();
            for (Route route : routes.values()) {
                state.put(route.name(), route.savedState());
            }
            try {
                stateFile.write(state);
            } catch (IOException e) {
                log.error("cannot write the state file {}: {} (a restart would start from the config)",
                        stateFile.path(), e.toString());
            }
        }
    }

    /** The transport in use: {@code io_uring} or {@code nio}. */
    public String transportName() {
        return transport.name();
    }

    /** Client connections open now, over all routes (held, connecting and relayed). */
    public int openClientConnections() {
        return limit.open();
    }

    /** The most client connections open at once ({@code max-client-connections}, or what the open-file limit allows). */
    public int maxClientConnections() {
        return limit.max();
    }

    public List<Route> routes() {
        return List.copyOf(routes.values());
    }

    public Optional<Route> route(String name) {
        return Optional.ofNullable(routes.get(name));
    }

    /** True while every route's listener is bound (readiness). */
    public boolean listenersBound() {
        return routes.values().stream().allMatch(Route::listening);
    }

    public List<RouteStatus> status() {
        return routes.values().stream().map(Route::status).toList();
    }

    public List<RouteStatus> pause() {
        return routes.values().stream().map(Route::pause).toList();
    }

    public List<RouteStatus> resume() {
        return routes.values().stream().map(Route::resume).toList();
    }

    /** Resumes every route to {@code slot}; throws {@link UnknownSlotException} (changing nothing) if any route lacks it. */
    public List<RouteStatus> resume(String slot) {
        requireSlotEverywhere(slot);
        return routes.values().stream().map(r -> r.resume(slot)).toList();
    }

    /** Switches every route to {@code slot}; throws {@link UnknownSlotException} (changing nothing) if any route lacks it. */
    public List<RouteStatus> switchTo(String slot) {
        requireSlotEverywhere(slot);
        return routes.values().stream().map(r -> r.switchTo(slot)).toList();
    }

    private void requireSlotEverywhere(String slot) {
        for (Route route : routes.values()) {
            route.slot(slot);
        }
    }

    public CompletableFuture<List<DrainResult>> drain(Duration timeout) {
        List<CompletableFuture<DrainResult>> all = routes.values().stream().map(r -> r.drain(timeout)).toList();
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                .thenApply(v -> all.stream().map(CompletableFuture::join).toList());
    }

    /**
     * Graceful stop: stop accepting, let live relays finish within {@code drainTimeout}, close
     * what remains (held connections are closed with reason {@code shutdown}), release the
     * event loops. Safe to call more than once and from any thread.
     */
    public void shutdown(Duration drainTimeout) {
        synchronized (this) {
            if (shutDown) {
                return;
            }
            shutDown = true;
        }
        for (Route route : routes.values()) {
            route.stopAccepting();
        }
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        int inFlight = inFlight();
        if (inFlight > 0) {
            log.info("shutting down: waiting up to {} for {} live relays to finish", drainTimeout, inFlight);
        }
        while ((inFlight = inFlight()) > 0 && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        if (inFlight > 0) {
            log.warn("shutting down: drain timeout passed, closing {} live relays", inFlight);
        }
        for (Route route : routes.values()) {
            route.closeAll();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        log.info("data plane stopped");
    }

    private int inFlight() {
        int sum = 0;
        for (Route route : routes.values()) {
            sum += route.inFlight();
        }
        return sum;
    }

    /** {@link #shutdown(Duration)} with no drain time. */
    @Override
    public void close() {
        shutdown(Duration.ZERO);
    }
}
