package dev.holdport.bench.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Streams bytes to the client for as long as it stays connected, as fast as the path allows: the
 * bulk-throughput backend. Writes only while the channel is writable, so memory stays bounded.
 */
@ChannelHandler.Sharable
final class BulkSourceHandler extends ChannelInboundHandlerAdapter {

    static final BulkSourceHandler INSTANCE = new BulkSourceHandler();

    /** One shared, never-freed 64 KiB chunk; each write sends a view of it. */
    private static final ByteBuf CHUNK =
            Unpooled.unreleasableBuffer(Unpooled.directBuffer(64 * 1024).writeZero(64 * 1024)).asReadOnly();

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        fill(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        fill(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg); // anything the client sends is ignored
    }

    private static void fill(ChannelHandlerContext ctx) {
        while (ctx.channel().isActive() && ctx.channel().isWritable()) {
            ctx.write(CHUNK.duplicate(), ctx.voidPromise());
        }
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
