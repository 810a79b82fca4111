package dev.holdport.proxy;

import dev.holdport.config.TransportChoice;
import io.netty.channel.Channel;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelOption;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.StandardSocketOptions;
import java.time.Duration;
import jdk.net.ExtendedSocketOptions;

/**
 * The Netty transport of the data plane: io_uring where the kernel (and the container's seccomp
 * profile) allows it, NIO otherwise. Netty's epoll transport is deliberately not offered: from
 * 4.2.13 to at least 4.2.18 it truncates data sent after a peer's half-close (see
 * ARCHITECTURE.md); re-run {@code HalfCloseTest} against it before adding it.
 *
 * @param socketChannelFactory makes backend channels (a constructor reference: no reflection per connection)
 * @param reusePort            the transport's {@code SO_REUSEPORT} option, for one listener per event loop
 */
public record Transport(
        String name,
        IoHandlerFactory ioHandlerFactory,
        Class<? extends ServerChannel> serverChannelClass,
        ChannelFactory<? extends Channel> socketChannelFactory,
        ChannelOption<Boolean> reusePort) {

    /**
     * Netty 4.2.18's io_uring arms POLLIN as a multishot (edge-triggered) poll. When a peer's data
     * and its reset are both queued before a read loop runs, the loop ends on "socket empty", the
     * spent poll never fires again, and the reset is never reported: the relay would hang instead
     * of resetting the other side (see netty/netty#17049 for the same family). Single-shot polls
     * avoid it. The property is read once, when Netty's {@code IoUring} class initialises, which
     * happens after this (every io_uring use goes through this class); an explicit -D wins.
     */
    static final String POLL_ADD_MULTISHOT = "io.netty.iouring.pollAddMultishotEnabled";

    static {
        if (System.getProperty(POLL_ADD_MULTISHOT) == null) {
            System.setProperty(POLL_ADD_MULTISHOT, "false");
        }
    }

    public static Transport ioUring() {
        return new Transport("io_uring", IoUringIoHandler.newFactory(),
                IoUringServerSocketChannel.class, IoUringSocketChannel::new, IoUringChannelOption.SO_REUSEPORT);
    }

    public static Transport nio() {
        return new Transport("nio", NioIoHandler.newFactory(),
                NioServerSocketChannel.class, NioSocketChannel::new, NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT));
    }

    /** Whether io_uring can be used here; when not, {@link #ioUringUnavailableReason()} says why. */
    public static boolean ioUringAvailable() {
        return IoUring.isAvailable();
    }

    public static String ioUringUnavailableReason() {
        Throwable cause = IoUring.unavailabilityCause();
        return cause == null ? "available" : String.valueOf(cause.getMessage());
    }

    /**
     * Resolves the configured choice.
     *
     * @throws IllegalStateException when io_uring is demanded explicitly but cannot run here
     */
    public static Transport choose(TransportChoice choice) {
        return switch (choice) {
            case NIO -> nio();
            case IO_URING -> {
                if (!ioUringAvailable()) {
                    throw new IllegalStateException("holdport.transport = io_uring, but io_uring is unavailable here: "
                            + ioUringUnavailableReason() + " (use auto or nio)");
                }
                yield ioUring();
            }
            case AUTO -> ioUringAvailable() ? ioUring() : nio();
        };
    }

    /** Longest time between keepalive probes, and how many go unanswered before the connection is dropped. */
    static final int KEEPALIVE_MAX_INTERVAL_SECONDS = 10;
    static final int KEEPALIVE_PROBES = 6;

    // Linux's numbers (the same on x86-64 and arm64) for options Netty's io_uring listener has no name for.
    private static final int SOL_SOCKET = 1;
    private static final int SO_KEEPALIVE = 9;
    private static final int IPPROTO_TCP = 6;
    private static final int TCP_KEEPIDLE = 4;
    private static final int TCP_KEEPINTVL = 5;
    private static final int TCP_KEEPCNT = 6;
    private static final ChannelOption<Integer> URING_SO_KEEPALIVE = new IntegerUnixChannelOption("SO_KEEPALIVE", SOL_SOCKET, SO_KEEPALIVE);
    private static final ChannelOption<Integer> URING_TCP_KEEPIDLE = new IntegerUnixChannelOption("TCP_KEEPIDLE", IPPROTO_TCP, TCP_KEEPIDLE);
    private static final ChannelOption<Integer> URING_TCP_KEEPINTVL = new IntegerUnixChannelOption("TCP_KEEPINTVL", IPPROTO_TCP, TCP_KEEPINTVL);
    private static final ChannelOption<Integer> URING_TCP_KEEPCNT = new IntegerUnixChannelOption("TCP_KEEPCNT", IPPROTO_TCP, TCP_KEEPCNT);

    /**
     * TCP keepalive for every connection a listener accepts, set on the listening socket: Linux
     * copies it to each accepted socket, so on io_uring it costs no system call per connection.
     * NIO's listening socket takes the timers but not {@code SO_KEEPALIVE} itself, which is then
     * set on each accepted socket.
     */
    void clientKeepalive(ServerBootstrap bootstrap, Duration idle) {
        if (idle.isZero()) {
            return;
        }
        int idleSeconds = (int) Math.max(1, idle.toSeconds());
        // A short keepalive asks for a vanished client to be noticed soon: probe as often.
        int intervalSeconds = Math.min(idleSeconds, KEEPALIVE_MAX_INTERVAL_SECONDS);
        if (serverChannelClass == IoUringServerSocketChannel.class) {
            bootstrap.option(URING_SO_KEEPALIVE, 1)
                    .option(URING_TCP_KEEPIDLE, idleSeconds)
                    .option(URING_TCP_KEEPINTVL, intervalSeconds)
                    .option(URING_TCP_KEEPCNT, KEEPALIVE_PROBES);
        } else {
            bootstrap.option(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), idleSeconds)
                    .option(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), intervalSeconds)
                    .option(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), KEEPALIVE_PROBES)
                    .childOption(ChannelOption.SO_KEEPALIVE, true);
        }
    }

    MultiThreadIoEventLoopGroup newEventLoopGroup(int threads) {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        return new MultiThreadIoEventLoopGroup(n, new DefaultThreadFactory("holdport-" + name, true), ioHandlerFactory);
    }
}
