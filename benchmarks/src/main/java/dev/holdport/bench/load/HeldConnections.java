package dev.holdport.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Many client connections opened against a paused proxy: each sends one small request at once
 * (its bytes wait in the kernel while the connection is held), waits for the echo, which can
 * only come after the proxy resumes, and then closes. Spreads the connections over several source addresses
 * (127.0.0.1, 127.0.0.2, …) so more than one address's worth of ephemeral ports is available.
 */
public final class HeldConnections implements AutoCloseable {

    /** Connections per source address; below the default ephemeral range of about 28,000. */
    private static final int PER_SOURCE_ADDRESS = 20_000;
    /** Connects in flight at once, so the SYN queue never overflows. */
    private static final int CONNECTS_IN_FLIGHT = 256;

    private final ByteBuf message = Message.of(16);
    private final ConcurrentLinkedQueue<Channel> channels = new ConcurrentLinkedQueue<>();
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger answered = new AtomicInteger();
    private final AtomicInteger connectFailed = new AtomicInteger();
    private final AtomicInteger closedUnanswered = new AtomicInteger();
    private final AtomicLong lastAnswerNanos = new AtomicLong();

    private HeldConnections() {}

    /** Opens {@code count} connections; returns once every connect has completed or failed. */
    public static HeldConnections open(LoadClient client, InetSocketAddress target, int count, Duration timeout)
            throws InterruptedException {
        HeldConnections held = new HeldConnections();
        Semaphore inFlight = new Semaphore(CONNECTS_IN_FLIGHT);
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int i = 0; i < count; i++) {
            if (!inFlight.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("opening held connections stalled after " + held.connected.get());
            }
            InetSocketAddress source = new InetSocketAddress("127.0.0." + (1 + i / PER_SOURCE_ADDRESS), 0);
            ChannelFuture connect = client.bootstrap(held.new Waiter(), 30_000).connect(target, source);
            connect.addListener(f -> {
                inFlight.release();
                if (f.isSuccess()) {
                    held.channels.add(connect.channel());
                    held.connected.incrementAndGet();
                } else {
                    held.connectFailed.incrementAndGet();
                }
            });
        }
        if (!inFlight.tryAcquire(CONNECTS_IN_FLIGHT, Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException("opening held connections stalled after " + held.connected.get());
        }
        return held;
    }

    public int connected() {
        return connected.get();
    }

    public int answered() {
        return answered.get();
    }

    /** Connections that failed to connect or were closed before their answer. */
    public int failed() {
        return connectFailed.get() + closedUnanswered.get();
    }

    /**
     * Waits until every connected client has its answer or has failed; returns the clock value
     * ({@link System#nanoTime()}) of the last answer.
     */
    public long awaitAnswers(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (answered.get() + closedUnanswered.get() < connected.get()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + answered.get() + " of " + connected.get()
                        + " held connections answered within " + timeout);
            }
            LockSupport.parkNanos(1_000_000L);
        }
        return lastAnswerNanos.get();
    }

    @Override
    public void close() {
        List<ChannelFuture> closing = channels.stream().map(Channel::close).toList();
        closing.forEach(f -> f.awaitUninterruptibly(5, TimeUnit.SECONDS));
    }

    /** Sends the request as soon as the connection is up and records when the echo is complete. */
    private final class Waiter extends ChannelInboundHandlerAdapter {
        private int received;
        private boolean over;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(message.duplicate(), ctx.voidPromise());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            received += in.readableBytes();
            in.release();
            if (!over && received >= message.readableBytes()) {
                over = true;
                lastAnswerNanos.accumulateAndGet(System.nanoTime(), Math::max);
                answered.incrementAndGet();
                ctx.close(); // one exchange, then leave: the proxy's relays end as fast as they start
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!over) {
                over = true;
                closedUnanswered.incrementAndGet();
            }
        }
    }
}
