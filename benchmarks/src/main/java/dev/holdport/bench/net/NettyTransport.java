package dev.holdport.bench.net;

import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import java.util.Optional;

/**
 * The Netty transport used by the benchmark's own backends and clients: io_uring where the kernel
 * allows it (cheapest per syscall, so the proxy rather than our tools is the bottleneck), NIO
 * otherwise. {@code -Dbench.transport=nio} forces NIO.
 */
public enum NettyTransport {
    IO_URING,
    NIO;

    /**
     * Linux's IP_BIND_ADDRESS_NO_PORT (IPPROTO_IP = 0, option 24): a client socket bound to a source
     * address gets its port at connect(), unique for the whole address-port four-tuple, instead of
     * at bind(), where the port must be free whatever the destination and is then shut out of
     * every other socket's connect() as well (TIME_WAIT included).
     */
    private static final ChannelOption<Integer> BIND_ADDRESS_NO_PORT =
            new IntegerUnixChannelOption("IP_BIND_ADDRESS_NO_PORT", 0, 24);

    public static NettyTransport choose() {
        String forced = System.getProperty("bench.transport", "");
        if (forced.equalsIgnoreCase("nio")) {
            return NIO;
        }
        return IoUring.isAvailable() ? IO_URING : NIO;
    }

    public EventLoopGroup newGroup(int threads) {
        IoHandlerFactory factory = this == IO_URING ? IoUringIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, factory);
    }

    public Class<? extends SocketChannel> socketChannel() {
        return this == IO_URING ? IoUringSocketChannel.class : NioSocketChannel.class;
    }

    /** The IP_BIND_ADDRESS_NO_PORT option where this transport can set it (io_uring; NIO cannot). */
    public Optional<ChannelOption<Integer>> bindAddressNoPort() {
        return this == IO_URING ? Optional.of(BIND_ADDRESS_NO_PORT) : Optional.empty();
    }

    public Class<? extends ServerChannel> serverChannel() {
        return this == IO_URING ? IoUringServerSocketChannel.class : NioServerSocketChannel.class;
    }
}
