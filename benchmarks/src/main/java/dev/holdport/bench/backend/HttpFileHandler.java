package dev.holdport.bench.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;

/**
 * A minimal HTTP/1.1 server that answers every request with the same 128-byte body, keeping the
 * connection open: the backend for wrk. It only finds where each request's headers end (bodies
 * are not expected: wrk sends GETs), so it costs next to nothing per request.
 */
final class HttpFileHandler extends ChannelInboundHandlerAdapter {

    static final int BODY_BYTES = 128;

    private static final ByteBuf RESPONSE;

    static {
        String head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: "
                + BODY_BYTES + "\r\n\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        ByteBuf response = Unpooled.directBuffer(headBytes.length + BODY_BYTES);
        response.writeBytes(headBytes);
        for (int i = 0; i < BODY_BYTES; i++) {
            response.writeByte('a' + i % 26);
        }
        RESPONSE = Unpooled.unreleasableBuffer(response).asReadOnly();
    }

    /** How many bytes of "\r\n\r\n" the input has matched so far, across reads. */
    private int matched;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            while (in.isReadable()) {
                byte b = in.readByte();
                boolean expectedCr = matched % 2 == 0;
                if (b == (expectedCr ? '\r' : '\n')) {
                    matched++;
                } else {
                    matched = b == '\r' ? 1 : 0;
                }
                if (matched == 4) {
                    matched = 0;
                    ctx.write(RESPONSE.duplicate(), ctx.voidPromise());
                }
            }
        } finally {
            in.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
