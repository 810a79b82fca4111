package dev.holdport.bench.net;

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

/**
 * The Netty transport used by the benchmark's own backends and clients: io_uring where the kernel
 * allows it (cheapest per syscall, so the proxy rather than our tools is the bottleneck), NIO
 * otherwise. {@code -Dbench.transport=nio} forces NIO.
 */
public enum NettyTransport {
    IO_URING,
    NIO;

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

    public Class<? extends ServerChannel> serverChannel() {
        return this == IO_URING ? IoUringServerSocketChannel.class : NioServerSocketChannel.class;
    }
}
