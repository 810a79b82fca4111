package dev.holdport.proxy;

import dev.holdport.config.RouteConfig;
import dev.holdport.config.SlotConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
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
    /** Failed accepts apart: a burst of them must not hide backend failures, nor they it. */
    private final FailureLog acceptFailureLog = new FailureLog(log);
    /** Listeners resting after a failed accept (see {@link AcceptGuard#exceptionCaught}). */
    private final Set<Channel> resting = ConcurrentHashMap.newKeySet();
    final Gate gate;

    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private final Transport transport;
    private final EventLoopGroup group;
    private final EventLoop control;
    private final Runnable onStateChange;
    private final ConnectionLimit limit;
    private final List<Runnable> stateListeners = new CopyOnWriteArrayList<>();
    private final ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Set<Relay> relays = ConcurrentHashMap.newKeySet();
    /** What the gate wants of the listeners (see {@link #setAccepting}); they are bound not accepting. */
    private volatile boolean accepting;
    private final AcceptGuard acceptGuard = new AcceptGuard();
    private final int connectTimeoutMillis;
    /** One listening socket per event loop (see {@link #bind()}); empty before bind. */
    private volatile List<Channel> listeners = List.of();

    Route(RouteConfig config, Transport transport, EventLoopGroup group, ProxyObserver observer,
            String activeSlot, boolean paused, Runnable onStateChange, ConnectionLimit limit) {
        this.config = config;
        this.limit = limit;
        this.transport = transport;
        this.group = group;
        this.control = group.next();
        this.observer = guarded(observer);
        this.onStateChange = onStateChange;
        for (SlotConfig slot : config.slots().values()) {
            slots.put(slot.name(), new Slot(slot));
        }
        this.gate = new Gate(this, slots.get(activeSlot), paused);
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, config.backend().connectTimeout().toMillis());
    }

    /**
     * Binds the public listener: one socket per event loop, sharing the port through
     * {@code SO_REUSEPORT}. The kernel spreads new connections over the sockets, and each
     * connection lives on the loop that accepted it: no hand-off to another thread per connection.
     * The sockets use {@code SO_REUSEPORT} even with one loop, so a successor holdport can always
     * listen beside this one ({@code run --take-over}).
     *
     * @param besidePredecessor join the sockets of a holdport that still listens on the port
     *     (taking over from it) instead of insisting that the port is free
     */
    void bind(boolean besidePredecessor) {
        List<EventLoop> loops = new ArrayList<>();
        group.forEach(executor -> loops.add((EventLoop) executor));
        InetSocketAddress address = config.listen().toSocketAddress();
        List<Channel> bound = new ArrayList<>(loops.size());
        try {
            if (!besidePredecessor && address.getPort() != 0) {
                // With SO_REUSEPORT a second holdport started by mistake (same user) would bind the
                // same port and silently take half the connections: insist the port is free first.
                probeFree(address);
            }
            for (EventLoop loop : loops) {
                Channel ch = serverBootstrap(loop).bind(address).syncUninterruptibly().channel();
                bound.add(ch);
                address = (InetSocketAddress) ch.localAddress(); // a configured port 0: all share the first one's port
            }
        } catch (Exception e) { // Netty rethrows the checked BindException undeclared
            bound.forEach(Channel::close);
            throw new IllegalStateException("route " + name() + ": cannot listen on " + config.listen() + ": " + e.getMessage(), e);
        }
        listeners = List.copyOf(bound);
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

    private ServerBootstrap serverBootstrap(EventLoop loop) {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loop, loop) // accepted connections stay on the accepting loop
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, config.backlog())
                .option(ChannelOption.SO_REUSEADDR, true)
                // Nothing is accepted until the gate says so (Gate.listenersBound).
                .option(ChannelOption.AUTO_READ, false)
                .handler(acceptGuard)
                // Reads are driven by the relay (and nothing is read while a connection is held).
                .childOption(ChannelOption.AUTO_READ, false)
                // A FIN is an event to pass on, not a reason to close: half-close is relayed.
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                // TCP_NODELAY is Netty's default for both transports; setting it again would cost a syscall per connection.
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ClientConnection(Route.this));
                    }
                })
                .option(transport.reusePort(), true);
        // A client that vanished without a FIN or reset is noticed and its relay closed.
        transport.clientKeepalive(bootstrap, config.clientKeepalive());
        return bootstrap;
    }

    /** Throws a {@link java.net.BindException} when something already listens on {@code address}. */
    private static void probeFree(InetSocketAddress address) throws IOException {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            probe.bind(address);
        }
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
        return listeners;
    }

    /** Timers of the route itself (pause expiry, paced release, drain checks) run here. */
    EventLoop control() {
        return control;
    }

    /**
     * Called by the gate under its lock. The wish is one flag; each listener applies the flag's
     * value at the time on its own loop. (Applying a value passed along, from another thread, a
     * "stop" could take effect after a later "start" and leave that listener deaf.)
     */
    void setAccepting(boolean accepting) {
        this.accepting = accepting;
        applyAccepting();
    }

    /**
     * Each listener takes up the gate's wish and the process's connection limit as they are when
     * it runs; a listener resting after a failed accept is left alone (its rest ends by applying
     * both): files freeing up, which crosses the limit back, is just when an early retry would
     * fail again, and on NIO spin until the rest was over.
     */
    void applyAccepting() {
        for (Channel ch : listeners) {
            try {
                ch.eventLoop().execute(() -> {
                    if (!resting.contains(ch)) {
                        ch.config().setAutoRead(wantsToAccept());
                    }
                });
            } catch (RejectedExecutionException e) {
                // the loops are shutting down: nothing accepts any more
            }
        }
    }

    private boolean wantsToAccept() {
        return accepting && !limit.full();
    }

    /**
     * On every listener, ahead of Netty's acceptor (which it stands in for when an accept fails).
     * Each accepted connection re-applies the gate's wish and the connection limit: the listener
     * may have accepted a burst before its auto-read was turned off.
     */
    @ChannelHandler.Sharable
    private final class AcceptGuard extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!wantsToAccept()) {
                ctx.channel().config().setAutoRead(false);
            }
            ctx.fireChannelRead(msg);
        }

        /**
         * An accept failed: the process is out of file descriptors by some other way than client
         * connections (which the limit keeps in check), or out of memory. Trying again at once
         * fails the same way, so the listener rests for a second, its clients waiting in the
         * backlog, and the failure is logged at most once a second. The exception goes no
         * further: Netty's acceptor would turn accepting back on a second later whatever the gate
         * wants, and the pipeline's tail would log every failure. (On io_uring the rest does not
         * hold: Netty 4.2.18 re-arms a multishot accept that ended in an error whatever auto-read
         * says, so until files free up the loop retries at full speed; see ARCHITECTURE.md.)
         */
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            acceptFailureLog.warn(() -> "route " + name() + ": cannot accept a connection (" + cause.getMessage()
                    + "): clients wait in the listen backlog");
            Channel listener = ctx.channel();
            listener.config().setAutoRead(false);
            if (resting.add(listener)) { // one rest at a time, however fast the failures come
                try {
                    listener.eventLoop().schedule(() -> {
                        resting.remove(listener);
                        listener.config().setAutoRead(wantsToAccept());
                    }, 1, TimeUnit.SECONDS);
                } catch (RejectedExecutionException e) {
                    // the loops are shutting down: the listener will not accept again
                }
            }
        }
    }

    /**
     * The observer's calls come between the gate counting a connection on a slot and the connect
     * or relay that ends the count: one that threw would leave the connection stuck and a drain
     * waiting for good. A failure is logged (at most once a second) instead.
     */
    private ProxyObserver guarded(ProxyObserver observer) {
        FailureLog observerFailures = new FailureLog(log);
        return new ProxyObserver() {
            @Override
            public void holdEnded(String route, long nanos) {
                try {
                    observer.holdEnded(route, nanos);
                } catch (RuntimeException e) {
                    observerFailures.warn(() -> "route " + route + ": the proxy observer failed: " + e);
                }
            }

            @Override
            public void backendConnected(String route, String slot, long nanos) {
                try {
                    observer.backendConnected(route, slot, nanos);
                } catch (RuntimeException e) {
                    observerFailures.warn(() -> "route " + route + ": the proxy observer failed: " + e);
                }
            }
        };
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

    void relayEnded(Relay relay) {
        relays.remove(relay);
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
        List<Channel> bound = listeners;
        return bound.isEmpty() ? config.listen().toSocketAddress() : (InetSocketAddress) bound.get(0).localAddress();
    }

    public boolean listening() {
        List<Channel> bound = listeners;
        return !bound.isEmpty() && bound.stream().allMatch(Channel::isActive);
    }

    /**
     * Runs {@code listener} after each change of the route's paused flag or active slot, on the
     * thread that made it (an event loop when {@code pause.max-duration} ends a pause), before
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
        return new RouteStatus(name(), listenAddress().getAddress().getHostAddress() + ":" + listenAddress().getPort(),
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
        for (Channel ch : listeners) {
            ch.close().syncUninterruptibly();
        }
        for (ClientConnection held : gate.shutDown()) {
            held.closeFromAnyThread(CloseReason.SHUTDOWN);
        }
    }

    /**
     * Relays, connects in progress, and connections a resume released that have not started
     * connecting yet: every connection counted on a slot (counting relays and connects alone
     * would miss the last, and shutdown would close them unserved).
     */
    int inFlight() {
        int sum = 0;
        for (Slot slot : slots.values()) {
            sum += (int) slot.live.sum();
        }
        return sum;
    }

    /** Closes whatever is left. */
    void closeAll() {
        for (Relay relay : relays) {
            relay.client.eventLoop().execute(relay::abort);
        }
        clients.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
