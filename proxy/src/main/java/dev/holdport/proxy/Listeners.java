package dev.holdport.proxy;

import dev.holdport.config.RouteConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A route's listening sockets, one per event loop, and whether they accept: the gate's wish and
 * the process's connection limit, applied on each socket's own loop, and a rest after a failed
 * accept.
 */
final class Listeners {

    /** The route's logger: operators filter on it, and a failed accept is the route's news. */
    private static final Logger log = LoggerFactory.getLogger(Route.class);

    private final RouteConfig config;
    private final Transport transport;
    private final EventLoopGroup group;
    private final ConnectionLimit limit;
    private final Supplier<ChannelHandler> connectionHandler;
    /** Failed accepts apart: a burst of them must not hide backend failures, nor they it. */
    private final FailureLog acceptFailureLog = new FailureLog(log);
    /** Sockets resting after a failed accept (see {@link AcceptGuard#exceptionCaught}). */
    private final Set<Channel> resting = ConcurrentHashMap.newKeySet();
    private final AcceptGuard acceptGuard = new AcceptGuard();
    /** What the gate wants (see {@link #setAccepting}); the sockets are bound not accepting. */
    private volatile boolean accepting;
    /** Empty before {@link #bind}. */
    private volatile List<Channel> channels = List.of();

    /** @param connectionHandler the handler of each accepted connection */
    Listeners(RouteConfig config, Transport transport, EventLoopGroup group, ConnectionLimit limit,
            Supplier<ChannelHandler> connectionHandler) {
        this.config = config;
        this.transport = transport;
        this.group = group;
        this.limit = limit;
        this.connectionHandler = connectionHandler;
    }

    /**
     * Binds one socket per event loop, sharing the port through {@code SO_REUSEPORT}. The kernel
     * spreads new connections over the sockets, and each connection lives on the loop that
     * accepted it: no hand-off to another thread per connection. The sockets use
     * {@code SO_REUSEPORT} even with one loop, so a successor holdport can always listen beside
     * this one ({@code run --take-over}). They are bound not accepting.
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
            throw new IllegalStateException("route " + config.name() + ": cannot listen on " + config.listen() + ": " + e.getMessage(), e);
        }
        channels = List.copyOf(bound);
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
                        ch.pipeline().addLast(connectionHandler.get());
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

    /** The sockets (for tests). */
    List<Channel> channels() {
        return channels;
    }

    /** The address the sockets are bound to (the real port when the config said 0). */
    InetSocketAddress address() {
        List<Channel> bound = channels;
        return bound.isEmpty() ? config.listen().toSocketAddress() : (InetSocketAddress) bound.get(0).localAddress();
    }

    boolean listening() {
        List<Channel> bound = channels;
        return !bound.isEmpty() && bound.stream().allMatch(Channel::isActive);
    }

    void close() {
        for (Channel ch : channels) {
            try {
                ch.close().syncUninterruptibly();
            } catch (RejectedExecutionException e) {
                // its loop has ended already, and closed the socket as it did
            }
        }
    }

    /**
     * Called by the gate under its lock. The wish is one flag; each socket applies the flag's
     * value at the time on its own loop. (Applying a value passed along, from another thread, a
     * "stop" could take effect after a later "start" and leave that socket deaf.)
     */
    void setAccepting(boolean accepting) {
        this.accepting = accepting;
        applyAccepting();
    }

    /**
     * Each socket takes up the gate's wish and the process's connection limit as they are when
     * it runs; a socket resting after a failed accept is left alone (its rest ends by applying
     * both): files freeing up, which crosses the limit back, is just when an early retry would
     * fail again, and on NIO spin until the rest was over.
     */
    void applyAccepting() {
        for (Channel ch : channels) {
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
     * On every socket, ahead of Netty's acceptor (which it stands in for when an accept fails).
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
            acceptFailureLog.warn(() -> "route " + config.name() + ": cannot accept a connection (" + cause.getMessage()
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
}
