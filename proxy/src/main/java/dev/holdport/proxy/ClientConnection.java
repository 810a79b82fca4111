package dev.holdport.proxy;

import dev.holdport.config.OnHoldTimeout;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of one accepted client connection: admitted by the gate, held or connected at once,
 * connected to its slot (retrying a refusing backend), then relayed. Everything here runs on the
 * client channel's event loop; the backend channel is created on the same loop.
 *
 * <p>Until the relay starts, the client is read at most once: a held connection costs no buffer
 * unless its client has sent something, and then at most one read's worth — the rest waits in the
 * kernel. That single read is also how a client that hangs up while held is noticed at once (an
 * end of stream with nothing before it). A client that sent bytes and then hung up is noticed
 * when its connection is released.
 */
final class ClientConnection extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);
    private static final long FIRST_RETRY_MILLIS = 5;
    private static final long MAX_RETRY_MILLIS = 100;

    private enum State { NEW, HELD, CONNECTING, RELAYING, CLOSED }

    private final Route route;
    private Channel channel;
    private State state = State.NEW;

    /** What the client sent before its relay started (one read, or more on io_uring after its FIN). */
    private ByteBuf early;
    /** The bytes of {@link #early} past its first read, taken from the route's {@link EarlyDataBudget}. */
    private long earlyCharged;
    private boolean clientInputEnded;
    /**
     * How to close the connection when a release already on its way to this loop arrives: set
     * when the client went away (or spent the early-data budget) after the gate handed it out.
     */
    private CloseReason closeOnRelease;
    /**
     * The gate's pause generation when this connection was last sent to a slot (admitted, released
     * or forwarded). Guarded by the gate's lock: see {@link Gate#readmit}.
     */
    long sentInPause;

    /** When the connection was accepted: the start of its hold, if it is held. */
    private long heldSinceNanos;
    private ScheduledFuture<?> holdTimer;

    private Slot slot;
    private long firstAttemptNanos;
    private long retryMillis = FIRST_RETRY_MILLIS;
    private Channel connectingBackend;
    private ScheduledFuture<?> retryTimer;

    private Relay relay;

    ClientConnection(Route route) {
        this.route = route;
    }

    long heldSinceNanos() {
        return heldSinceNanos;
    }

    // ---- accept and admission ----

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        route.counters.accepted.increment();
        route.track(channel);
        // Set before admission, which may queue us: the status (another thread, under the gate's
        // lock) reads it from the queue's head as soon as we are in it.
        heldSinceNanos = System.nanoTime();
        Gate.Admission admission = route.gate.admit(this);
        if (admission.held()) {
            hold();
        } else if (admission.connectTo() != null) {
            connect(admission.connectTo());
        } else {
            closeUnrelayed(CloseReason.SHUTDOWN);
            return;
        }
        if (state != State.CLOSED) {
            channel.read(); // the single read: early bytes, or notice of a client that hangs up
        }
    }

    private void hold() {
        state = State.HELD;
        long timeoutMillis = route.config.hold().timeout().toMillis();
        if (timeoutMillis > 0) {
            holdTimer = channel.eventLoop().schedule(this::holdTimedOut, timeoutMillis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Called by the gate from any thread: this connection left the queue for {@code target}, and
     * the gate has counted it in {@code target.live} already.
     */
    void release(Slot target) {
        try {
            channel.eventLoop().execute(() -> {
                if (state != State.HELD) {
                    target.live.decrement(); // closed meanwhile: it will not go there after all
                    return;
                }
                endHold();
                if (closeOnRelease != null) {
                    target.live.decrement();
                    closeUnrelayed(closeOnRelease);
                } else {
                    connect(target);
                }
            });
        } catch (RejectedExecutionException e) {
            // The loop has ended (a shutdown with no drain time left): it closed the connection
            // as it did, so the connection never reaches the slot. Give the count back rather than
            // leave the slot looking busy, count the close (nothing else will), and let the rest
            // of the release batch go on.
            target.live.decrement();
            route.counters.closed(CloseReason.SHUTDOWN);
        }
    }

    private void holdTimedOut() {
        if (state != State.HELD) {
            return;
        }
        boolean forwarding = route.config.hold().onTimeout() == OnHoldTimeout.FORWARD;
        Slot activeNow = route.gate.removeHeld(this, forwarding);
        if (activeNow == null) {
            return; // a release got there first
        }
        endHold();
        if (forwarding) {
            log.info("route {}: connection from {} held longer than hold.timeout: forwarding to slot {}",
                    route.name(), channel.remoteAddress(), activeNow.name());
            route.counters.released.increment();
            connect(activeNow);
        } else {
            closeUnrelayed(CloseReason.HOLD_TIMEOUT);
        }
    }

    private void endHold() {
        if (holdTimer != null) {
            holdTimer.cancel(false);
            holdTimer = null;
        }
        route.observer.holdEnded(route.name(), System.nanoTime() - heldSinceNanos);
    }

    /** The client hung up (FIN with nothing before it, close, or reset) before its relay started. */
    private void clientGone() {
        closeBeforeRelay(CloseReason.ABANDONED, CloseReason.CLIENT_GONE);
    }

    /**
     * Closes a connection whose relay has not started, for its own reasons: a held one leaves
     * the queue first (or, when a release has already taken it, is closed as that release
     * arrives), counted as {@code whileHeld}; one connecting or just accepted as {@code otherwise}.
     */
    private void closeBeforeRelay(CloseReason whileHeld, CloseReason otherwise) {
        switch (state) {
            case HELD -> {
                if (route.gate.removeHeld(this, false) != null) {
                    endHold();
                    closeUnrelayed(whileHeld);
                } else {
                    closeOnRelease = whileHeld; // a release is on its way; it will close us
                }
            }
            case CONNECTING, NEW -> closeUnrelayed(otherwise);
            default -> { }
        }
    }

    // ---- connecting to the slot ----

    /** Connects to {@code target}, in which the gate has counted this connection already. */
    private void connect(Slot target) {
        // Admitted straight through: the clock was read a moment ago (a syscall on some VMs).
        firstAttemptNanos = state == State.NEW ? heldSinceNanos : System.nanoTime();
        state = State.CONNECTING;
        slot = target;
        retryMillis = FIRST_RETRY_MILLIS;
        route.counters.connecting.increment();
        attempt();
    }

    private void attempt() {
        retryTimer = null;
        InetSocketAddress target = slot.connectAddress();
        if (target.isUnresolved()) {
            connectFailed(new UnknownHostException(target.getHostString() + ": name not resolved"), false);
            return;
        }
        Channel backend;
        try {
            backend = route.newBackendChannel(new BackendHandler());
        } catch (ChannelException e) {
            // No socket could be created: the process is out of file descriptors for a moment (a
            // large release needs a second one per connection); relays ending free some.
            connectFailed(e, true);
            return;
        }
        connectingBackend = backend;
        // Registered on this connection's own loop, where the relay will run; from this loop the
        // registration completes at once and the listeners below run here too.
        channel.eventLoop().register(backend).addListener((ChannelFutureListener) registered -> {
            if (registered.isSuccess()) {
                backend.connect(target).addListener((ChannelFutureListener) this::connected);
            } else {
                connected(registered);
            }
        });
    }

    private void connected(ChannelFuture future) {
        if (state != State.CONNECTING) {
            discard(future.channel());
            return;
        }
        connectingBackend = null;
        if (future.isSuccess() && connectedToItself(future.channel())) {
            // Nobody listens on the slot's port and the kernel chose that very port as the source
            // port of this connect (possible when the slot's port lies in the ephemeral range):
            // TCP's simultaneous open makes the socket its own peer. Relaying to it would echo the
            // client and keep the port taken from the backend that is about to bind it. Reset, so
            // that no TIME_WAIT keeps the port from a backend that binds without SO_REUSEADDR.
            try {
                future.channel().config().setOption(ChannelOption.SO_LINGER, 0);
            } catch (RuntimeException e) {
                log.debug("route {}: SO_LINGER 0 on a self-connected socket failed: {}", route.name(), e.toString());
            }
            discard(future.channel());
            connectFailed(new ConnectException("connected to itself: nothing listens on " + slot.connectAddress()), true);
        } else if (future.isSuccess()) {
            startRelay(future.channel());
        } else {
            discard(future.channel());
            Throwable cause = future.cause();
            // Refused: the backend is not listening (yet); it may be starting.
            connectFailed(cause, cause instanceof ConnectException && !(cause instanceof ConnectTimeoutException));
        }
    }

    private static boolean connectedToItself(Channel backend) {
        SocketAddress local = backend.localAddress();
        return local != null && local.equals(backend.remoteAddress());
    }

    /** Closes a backend channel that will not be relayed, registered or not (an unregistered one has no loop to close on). */
    private static void discard(Channel backend) {
        if (backend.isRegistered()) {
            backend.close();
        } else {
            backend.unsafe().closeForcibly();
        }
    }

    /** A failed attempt: tried again shortly while {@code backend.retry-refused-for} lasts if {@code transient}, else the client is closed. */
    private void connectFailed(Throwable cause, boolean transientFailure) {
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - firstAttemptNanos);
        if (transientFailure && followedTheGate()) {
            return;
        }
        if (transientFailure && elapsedMillis + retryMillis <= route.config.backend().retryRefusedFor().toMillis()) {
            retryTimer = channel.eventLoop().schedule(this::attempt, retryMillis, TimeUnit.MILLISECONDS);
            retryMillis = Math.min(retryMillis * 2, MAX_RETRY_MILLIS);
            return;
        }
        CloseReason reason = cause instanceof ConnectTimeoutException ? CloseReason.BACKEND_TIMEOUT : CloseReason.BACKEND_UNAVAILABLE;
        route.failureLog.warn("route " + route.name() + " slot " + slot.name() + " (" + slot.config.address() + "): cannot connect after "
                + elapsedMillis + " ms: " + rootMessage(cause) + "; closing client " + channel.remoteAddress());
        closeUnrelayed(reason);
    }

    /**
     * Between retries of a refusing slot: held again if the route has been paused since (its
     * slot is most likely being restarted), or sent to the slot made active since. True when it
     * did either.
     */
    private boolean followedTheGate() {
        Gate.Admission again = route.gate.readmit(this, slot);
        if (again == null) {
            return false;
        }
        // The gate took this connection off slot's live count and the connecting count.
        if (again.held()) {
            log.debug("route {}: slot {} refuses and the route was paused meanwhile: {} is held again",
                    route.name(), slot.name(), channel.remoteAddress());
            slot = null;
            hold();
        } else {
            log.debug("route {}: slot {} refuses and slot {} is active now: {} goes there",
                    route.name(), slot.name(), again.connectTo().name(), channel.remoteAddress());
            connect(again.connectTo());
        }
        return true;
    }

    /** The innermost cause says what went wrong ("Too many open files"), not the wrapper. */
    private static String rootMessage(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == cause ? String.valueOf(cause.getMessage()) : cause.getMessage() + " (" + root + ")";
    }

    private void startRelay(Channel backend) {
        state = State.RELAYING;
        route.counters.connecting.decrement();
        route.counters.relayed.increment();
        route.observer.backendConnected(route.name(), slot.name(), System.nanoTime() - firstAttemptNanos);
        relay = new Relay(route, slot, channel, backend);
        route.relayStarted(relay);
        ByteBuf first = early;
        early = null;
        earlyGone();
        relay.start(first, clientInputEnded);
    }

    // ---- closing without a relay ----

    /** Ends a connection that never got (or lost before starting) its relay; counted and logged. */
    void closeUnrelayed(CloseReason reason) {
        if (state == State.CLOSED || state == State.RELAYING) {
            return;
        }
        if (state == State.CONNECTING) {
            route.counters.connecting.decrement();
            slot.live.decrement();
            if (retryTimer != null) {
                retryTimer.cancel(false);
            }
            if (connectingBackend != null) {
                discard(connectingBackend);
            }
        }
        if (holdTimer != null) {
            holdTimer.cancel(false);
        }
        state = State.CLOSED;
        route.counters.closed(reason);
        if (early != null) {
            early.release();
            early = null;
            earlyGone();
        }
        if (log.isDebugEnabled()) {
            log.debug("route {}: closed {} without relaying: {}", route.name(), channel.remoteAddress(), reason.label());
        }
        channel.close();
    }

    /** For shutdown: close from any thread. */
    void closeFromAnyThread(CloseReason reason) {
        try {
            channel.eventLoop().execute(() -> closeUnrelayed(reason));
        } catch (RejectedExecutionException e) {
            // its loop has ended already and closed the connection as it did; count the close
            route.counters.closed(reason);
        }
    }

    // ---- client channel events ----

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (relay != null) {
            relay.read(channel, msg);
        } else if (state == State.CLOSED || !(msg instanceof ByteBuf buf)) {
            ReferenceCountUtil.release(msg);
        } else if (early == null) {
            early = buf;
        } else if (route.earlyData.take(buf.capacity())) {
            // Only after a FIN on io_uring (Netty reads to the end of the stream then).
            earlyCharged += buf.capacity();
            early = ctx.alloc().compositeBuffer().addComponents(true, early, buf);
        } else {
            buf.release();
            sentTooMuchEarly();
        }
    }

    /** The early-data budget is spent: this client, not the others, pays for it. */
    private void sentTooMuchEarly() {
        route.failureLog.warn("route " + route.name() + ": client " + channel.remoteAddress() + " sent more before its"
                + " relay started than holdport buffers for all such connections (" + route.earlyData.limit()
                + " bytes, io_uring reads a half-closed client to its end): closing it");
        closeBeforeRelay(CloseReason.EARLY_DATA_LIMIT, CloseReason.EARLY_DATA_LIMIT);
    }

    /** {@link #early} leaves this connection (released, or handed to the relay): its share of the budget comes back. */
    private void earlyGone() {
        route.earlyData.giveBack(earlyCharged);
        earlyCharged = 0;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (relay != null) {
            relay.readComplete(channel);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            if (relay != null) {
                relay.inputEnded(channel);
            } else if (early == null && state != State.CONNECTING) {
                clientGone(); // held: a FIN alone is taken for a client that left (ARCHITECTURE, Departures)
            } else {
                // Bytes then FIN, or a FIN while connecting (a client that only listens, to a
                // server that speaks first): pass it on once connected. A client that has really
                // left resets the relay when the backend's first bytes reach it.
                clientInputEnded = true;
            }
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (relay != null) {
            relay.writabilityChanged(channel);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        try {
            if (relay != null) {
                relay.closed(channel);
            } else {
                clientGone();
            }
        } finally {
            route.untrack();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (relay != null) {
            relay.failed(channel, cause);
        } else {
            clientGone();
            channel.close();
        }
    }

    /** The backend channel's events, passed to the relay (none arrive before it exists: no reads are asked for). */
    private final class BackendHandler extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (relay != null) {
                relay.read(ctx.channel(), msg);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (relay != null) {
                relay.readComplete(ctx.channel());
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent && relay != null) {
                relay.inputEnded(ctx.channel());
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (relay != null) {
                relay.writabilityChanged(ctx.channel());
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (relay != null) {
                relay.closed(ctx.channel());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (relay != null) {
                relay.failed(ctx.channel(), cause);
            } else {
                ctx.close();
            }
        }
    }

}
