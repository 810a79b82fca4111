package dev.holdport.bench.backend;

import dev.holdport.bench.net.NettyTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** The backend servers of one backend process, all on the same event loops. */
public final class BackendServer implements AutoCloseable {

    /** What a backend port serves. */
    public enum Kind {
        ECHO, BULK, HTTP
    }

    private final NettyTransport transport = NettyTransport.choose();
    private final EventLoopGroup group;
    private final List<Channel> listeners = new ArrayList<>();

    public BackendServer(int threads) {
        this.group = transport.newGroup(threads);
    }

    public void listen(Kind kind, int port) throws InterruptedException {
        Supplier<ChannelHandler> handler = switch (kind) {
            case ECHO -> () -> EchoHandler.INSTANCE;
            case BULK -> () -> BulkSourceHandler.INSTANCE;
            case HTTP -> HttpFileHandler::new;
        };
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(512 * 1024, 1024 * 1024))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(handler.get());
                    }
                });
        listeners.add(bootstrap.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).sync().channel());
    }

    public String transportName() {
        return transport.name();
    }

    @Override
    public void close() {
        // Stop accepting first, so no new child is registered while the loops shut down.
        listeners.forEach(listener -> listener.close().syncUninterruptibly());
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
