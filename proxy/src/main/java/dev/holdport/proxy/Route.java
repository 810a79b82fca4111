package dev.holdport.proxy;

import dev.holdport.config.HostPort;
import dev.holdport.config.RouteConfig;
import dev.holdport.config.SlotConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One public listener (a socket per event loop), its slots and its gate. All operations are thread-safe and idempotent,
 * and return the route's status after the operation.
 */
public final class Route {

    private static final Logger log = LoggerFactory.getLogger(Route.class);

    final RouteConfig config;
    final RouteCounters counters = new RouteCounters();
    final ProxyObserver observer;
    final FailureLog failureLog = new FailureLog(log);
    final Gate gate;
    /** Shared by every route of the proxy. */
    final EarlyDataBudget earlyData;

    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private final Transport transport;
    private final EventLoop control;
    private final Runnable onStateChange;
    private final ConnectionLimit limit;
    private final List<Runnable> stateListeners = new CopyOnWriteArrayList<>();
    private final ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Set<Relay> relays = ConcurrentHashMap.newKeySet();
    /** Relays that have ended but whose sockets are not both closed: their last bytes may still be going out. */
    private final LongAdder finishing = new LongAdder();
    private final Listeners listeners;
    private final int connectTimeoutMillis;

    Route(RouteConfig config, Transport transport, EventLoopGroup group, ProxyObserver observer,
            String activeSlot, boolean paused, Runnable onStateChange, ConnectionLimit limit, EarlyDataBudget earlyData) {
        this.config = config;
        this.limit = limit;
        this.earlyData = earlyData;
        this.transport = transport;
        this.control = group.next();
        this.observer = new GuardedObserver(observer);
        this.onStateChange = onStateChange;
        for (SlotConfig slot : config.slots().values()) {
            slots.put(slot.name(), new Slot(slot));
        }
        this.listeners = new Listeners(config, transport, group, limit, () -> new ClientConnection(this));
        this.gate = new Gate(this, slots.get(activeSlot), paused);
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, config.backend().connectTimeout().toMillis());
    }

    /**
     * Binds the public listener (see {@link Listeners#bind}), not accepting until the gate says so.
     *
     * @param besidePredecessor join the sockets of a holdport that still listens on the port
     */
    void bind(boolean besidePredecessor) {
        listeners.bind(besidePredecessor);
        gate.listenersBound(); // they were bound not accepting: the gate may hold its maximum already
        log.info("route {}: listening on {}, active slot {} ({}){}", name(), listenAddress(), gate.active().name(),
                gate.active().config.address(), gate.view().paused() ? ", paused (restored from the state file)" : "");
        warnOfEphemeralSlotPorts();
    }

    /**
     * A slot on this host whose port the kernel also hands out to outgoing connections can find it
     * taken while its process is down (a deploy): any connection from this host, holdport's own
     * retries included, may leave from that port, and the backend then cannot bind it.
     */
    private void warnOfEphemeralSlotPorts() {
        Sysctl.ephemeralPorts().ifPresent(range -> {
            for (Slot slot : slots.values()) {
                InetSocketAddress address = slot.connectAddress();
                if (address.getAddress() != null && address.getAddress().isLoopbackAddress() && range.contains(address.getPort())) {
                    log.warn("route {}: slot {} listens on port {}, inside this host's ephemeral port range {}-{}"
                            + " (net.ipv4.ip_local_port_range): while the slot is down an outgoing connection may take"
                            + " that port and the new process will not be able to bind it; choose a port below {}",
                            name(), slot.name(), address.getPort(), range.first(), range.last(), range.first());
                }
            }
        });
    }

    /**
     * A new, unregistered backend channel. Made directly rather than through a {@code Bootstrap}:
     * a bootstrap per connection copies its option map and looks up an address resolver, work
     * that a slot address resolved once never needs.
     *
     * @throws io.netty.channel.ChannelException when no socket can be created (out of file descriptors)
     */
    Channel newBackendChannel(ChannelHandler handler) {
        Channel backend = transport.socketChannelFactory().newChannel();
        try {
            ChannelConfig cfg = backend.config();
            cfg.setAutoRead(false); // the relay drives reads
            cfg.setOption(ChannelOption.ALLOW_HALF_CLOSURE, true); // a backend's FIN is passed on, not a reason to close
            cfg.setConnectTimeoutMillis(connectTimeoutMillis);
            backend.pipeline().addLast(handler);
            return backend;
        } catch (RuntimeException e) {
            backend.unsafe().closeForcibly(); // not registered yet: no loop to close it on
            throw e instanceof ChannelException ce ? ce : new ChannelException(e);
        }
    }

    /** The listening sockets, one per event loop (for tests). */
    List<Channel> listeners() {
        return listeners.channels();
    }

    /** Timers of the route itself (pause expiry, paced release, drain checks) run here. */
    EventLoop control() {
        return control;
    }

    /** Called by the gate under its lock: see {@link Listeners#setAccepting}. */
    void setAccepting(boolean accepting) {
        listeners.setAccepting(accepting);
    }

    /** The connection limit was crossed: see {@link Listeners#applyAccepting}. */
    void applyAccepting() {
        listeners.applyAccepting();
    }

    /** A client connection became active; {@link #untrack} follows when it closes. */
    void track(Channel client) {
        limit.opened();
        clients.add(client);
    }

    void untrack() {
        limit.closed();
    }

    void relayStarted(Relay relay) {
        relays.add(relay);
    }

    /** A relay has ended but may still be writing its last bytes: see {@link Relay#abort} and {@link #inFlight}. */
    void relayFinishing() {
        finishing.increment();
    }

    /** A relay's sockets are both closed. */
    void relayEnded(Relay relay) {
        relays.remove(relay);
        finishing.decrement();
    }

    /** The listeners first, then the state file: see {@link #onStateChange(Runnable)}. */
    void stateChanged() {
        for (Runnable listener : stateListeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                log.error("route {}: a state change listener failed", name(), e);
            }
        }
        onStateChange.run();
    }

    Slot slot(String name) {
        Slot slot = slots.get(name);
        if (slot == null) {
            throw new UnknownSlotException(name(), name, slots.keySet());
        }
        return slot;
    }

    // ---- public API ----

    public String name() {
        return config.name();
    }

    public RouteConfig config() {
        return config;
    }

    /** The address the listener is bound to (the real port when the config said 0). */
    public InetSocketAddress listenAddress() {
        return listeners.address();
    }

    public boolean listening() {
        return listeners.listening();
    }

    /**
     * Runs {@code listener} after each change of the route's paused flag or active slot, on the
     * thread that made it (Netty's global executor thread when {@code pause.max-duration} ends a pause), before
     * that call returns and before the state file records the change; never under the route's own
     * locks. It must be quick and must not throw.
     */
    public void onStateChange(Runnable listener) {
        stateListeners.add(listener);
    }

    /**
     * New connections are held from now on.
     *
     * @throws RouteShutDownException once the route is shutting down (as do resume and switch):
     *     its state can no longer change, and a caller must not be told it did
     */
    public RouteStatus pause() {
        return changed(gate.pause());
    }

    /** Releases held connections, in arrival order, to the active slot. */
    public RouteStatus resume() {
        return changed(gate.resume(null));
    }

    /** Makes {@code slotName} active, then resumes. */
    public RouteStatus resume(String slotName) {
        return changed(gate.resume(slot(slotName)));
    }

    /** New (and released) connections go to {@code slotName}; live relays to the old slot continue. */
    public RouteStatus switchTo(String slotName) {
        return changed(gate.switchTo(slot(slotName)));
    }

    private RouteStatus changed(boolean accepted) {
        if (!accepted) {
            throw new RouteShutDownException(name());
        }
        return status();
    }

    /**
     * Completes when the relays that stopping a backend would cut have ended, or when
     * {@code timeout} passes. While open, those are the relays to slots other than the active
     * one (after a switch). While paused, they are all relays: nothing new starts, so a restart
     * in place can wait for the last exchanges with the old process before stopping it.
     */
    public CompletableFuture<DrainResult> drain(Duration timeout) {
        CompletableFuture<DrainResult> result = new CompletableFuture<>();
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        Runnable check = () -> {
            int remaining = liveOnInactiveSlots();
            long now = System.nanoTime();
            if (remaining == 0 || now - deadline >= 0) {
                result.complete(new DrainResult(name(), remaining == 0, remaining, Duration.ofNanos(now - start)));
            }
        };
        check.run();
        if (!result.isDone()) {
            ScheduledFuture<?> poll = control.scheduleAtFixedRate(check, 10, 10, TimeUnit.MILLISECONDS);
            result.whenComplete((r, e) -> poll.cancel(false));
        }
        return result;
    }

    private int liveOnInactiveSlots() {
        Gate.View view = gate.view();
        int sum = 0;
        for (Slot slot : slots.values()) {
            if (view.paused() || slot != view.active()) {
                sum += (int) slot.live.sum();
            }
        }
        return sum;
    }

    public RouteStatus status() {
        Gate.View view = gate.view();
        List<SlotStatus> slotStatus = new ArrayList<>(slots.size());
        for (Slot slot : slots.values()) {
            slotStatus.add(slot.status(slot == view.active()));
        }
        Duration oldest = view.held() == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - view.oldestHeldSinceNanos());
        // As the config writes addresses: an IPv6 host in brackets ([::1]:8080).
        return new RouteStatus(name(), new HostPort(listenAddress().getAddress().getHostAddress(), listenAddress().getPort()).toString(),
                view.paused() ? GateState.PAUSED : GateState.OPEN, view.active().name(), view.pausedSince(),
                slotStatus, view.held(), oldest, (int) counters.connecting.sum(), counters.totals());
    }

    /** The state to persist: active slot and paused flag. */
    SavedRouteState savedState() {
        Gate.View view = gate.view();
        return new SavedRouteState(view.active().name(), view.paused());
    }

    // ---- shutdown ----

    /** Stops accepting and closes held connections; live relays go on. */
    void stopAccepting() {
        listeners.close();
        for (ClientConnection held : gate.shutDown()) {
            held.closeFromAnyThread(CloseReason.SHUTDOWN);
        }
    }

    /**
     * Relays, connects in progress, and connections a resume released that have not started
     * connecting yet: every connection counted on a slot (counting relays and connects alone
     * would miss the last, and shutdown would close them unserved); and relays that have ended
     * but are still writing their last bytes (closing them would cut those off).
     */
    int inFlight() {
        int sum = 0;
        for (Slot slot : slots.values()) {
            sum += (int) slot.live.sum();
        }
        return sum + (int) finishing.sum(); // last: see Relay.end
    }

    /** Closes whatever is left. */
    void closeAll() {
        for (Relay relay : relays) {
            try {
                relay.client.eventLoop().execute(relay::abort);
            } catch (RejectedExecutionException e) {
                // its loop has ended already, and closed both sides as it did
            }
        }
        clients.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
