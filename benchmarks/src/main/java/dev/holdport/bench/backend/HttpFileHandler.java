package dev.holdport.bench.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;

/**
 * A minimal HTTP/1.1 server that answers every request with the same 128-byte body: the backend
 * for wrk. It keeps the connection open unless the request says {@code Connection: close}, then
 * closes it after the answer. It only looks for the end of each header line and of the headers
 * (bodies are not expected: wrk sends GETs), so it costs next to nothing per request.
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
    /** The start of the current header line, lower-cased (enough to recognise "connection: close"). */
    private final StringBuilder line = new StringBuilder(32);
    private boolean closeRequested;

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
                if (b == '\n') {
                    endOfLine();
                } else if (b != '\r' && line.length() < 32) {
                    line.append(Character.toLowerCase((char) b));
                }
                if (matched == 4) {
                    matched = 0;
                    if (closeRequested) {
                        ctx.writeAndFlush(RESPONSE.duplicate()).addListener(ChannelFutureListener.CLOSE);
                        return;
                    }
                    ctx.write(RESPONSE.duplicate(), ctx.voidPromise());
                }
            }
        } finally {
            in.release();
        }
    }

    private void endOfLine() {
        if (line.length() >= 17 && line.indexOf("connection:") == 0 && line.indexOf("close") > 0) {
            closeRequested = true;
        }
        line.setLength(0);
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
