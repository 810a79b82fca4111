package dev.holdport.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** The request the clients send to the echo backend; the answer is the same bytes. */
final class Message {

    private Message() {}

    /**
     * A shared buffer of {@code bytes} bytes; send {@code duplicate()}s of it. It wraps a plain
     * array, so nothing needs freeing and the leak detector has nothing to report when the load
     * that used it is garbage-collected.
     */
    static ByteBuf of(int bytes) {
        byte[] content = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            content[i] = (byte) ('0' + i % 10);
        }
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(content)).asReadOnly();
    }
}
