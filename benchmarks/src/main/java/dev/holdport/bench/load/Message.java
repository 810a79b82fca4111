package dev.holdport.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** The request the clients send to the echo backend; the answer is the same bytes. */
final class Message {

    private Message() {}

    /** A shared, never-freed buffer of {@code bytes} bytes; send {@code duplicate()}s of it. */
    static ByteBuf of(int bytes) {
        ByteBuf buffer = Unpooled.directBuffer(bytes);
        for (int i = 0; i < bytes; i++) {
            buffer.writeByte('0' + i % 10);
        }
        return Unpooled.unreleasableBuffer(buffer).asReadOnly();
    }
}
