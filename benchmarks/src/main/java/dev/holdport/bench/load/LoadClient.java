package dev.holdport.bench.load;

import dev.holdport.bench.net.NettyTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.util.concurrent.TimeUnit;

/**
 * The load generator's event loops, shared by every scenario of a run, and a factory for
 * client bootstraps on them.
 */
public final class LoadClient implements AutoCloseable {

    private final NettyTransport transport = NettyTransport.choose();
    private final EventLoopGroup group;

    public LoadClient(int threads) {
        this.group = transport.newGroup(threads);
    }

    public EventLoopGroup group() {
        return group;
    }

    public String transportName() {
        return transport.name();
    }

    Bootstrap bootstrap(ChannelHandler handler, int connectTimeoutMillis) {
        return new Bootstrap()
                .group(group)
                .channel(transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .handler(handler);
    }

    /**
     * A bootstrap for connects from a chosen source address: where the transport allows, the
     * source port is picked at connect() (see {@link NettyTransport#bindAddressNoPort()}), so
     * clients bound to 127.0.0.2, .3, … and clients that do not bind draw on ports independently.
     */
    Bootstrap boundBootstrap(ChannelHandler handler, int connectTimeoutMillis) {
        Bootstrap bootstrap = bootstrap(handler, connectTimeoutMillis);
        transport.bindAddressNoPort().ifPresent(option -> bootstrap.option(option, 1));
        return bootstrap;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
