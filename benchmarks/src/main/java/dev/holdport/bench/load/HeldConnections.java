package dev.holdport.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Many client connections opened from this process against a paused proxy: each sends one small
 * request at once (its bytes wait in the kernel while the connection is held), waits for the
 * echo, which can only come after the proxy resumes, and then closes. Without a given source
 * address it spreads the connections over several (127.0.0.1, 127.0.0.2, …) so more than one
 * address's worth of ephemeral ports is available; a client shard passes its own address.
 */
public final class HeldConnections implements HeldClients {

    /** Connections per source address; below the default ephemeral range of about 28,000. */
    public static final int PER_SOURCE_ADDRESS = 15_000;
    /** Connects in flight at once, so the SYN queue never overflows. */
    private static final int CONNECTS_IN_FLIGHT = 256;

    private final ByteBuf message = Message.of(16);
    private final ConcurrentLinkedQueue<Channel> channels = new ConcurrentLinkedQueue<>();
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger answered = new AtomicInteger();
    private final AtomicInteger connectFailed = new AtomicInteger();
    private final AtomicReference<String> firstFailure = new AtomicReference<>();
    private final AtomicInteger closedUnanswered = new AtomicInteger();
    private final AtomicLong lastAnswerEpochMicros = new AtomicLong();

    private HeldConnections() {}

    /**
     * Opens {@code count} connections, spread over source addresses from 127.0.0.1 on; returns
     * once every connect has completed or failed.
     */
    public static HeldConnections open(LoadClient client, InetSocketAddress target, int count, Duration timeout)
            throws InterruptedException {
        return open(client, target, count, null, timeout);
    }

    /**
     * Opens {@code count} connections, all from {@code source} if it is not null (at most
     * {@link #PER_SOURCE_ADDRESS} then); returns once every connect has completed or failed.
     */
    public static HeldConnections open(LoadClient client, InetSocketAddress target, int count, InetAddress source,
                                       Duration timeout) throws InterruptedException {
        HeldConnections held = new HeldConnections();
        Semaphore inFlight = new Semaphore(CONNECTS_IN_FLIGHT);
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int i = 0; i < count; i++) {
            if (!inFlight.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw held.stalled();
            }
            // The first block connects without a bind: connect() picks a source port that is free for
            // this destination (bind(addr, 0) would also have to dodge every TIME_WAIT port left by
            // earlier scenarios; where the transport allows, bound sockets defer the port to
            // connect() too). Further blocks come from 127.0.0.2, .3, ... for more ports.
            int block = i / PER_SOURCE_ADDRESS;
            InetAddress from = source != null ? source
                    : block == 0 ? null : loopback(1 + block);
            ChannelFuture connect = from == null ? client.bootstrap(held.new Waiter(), 30_000).connect(target)
                    : client.boundBootstrap(held.new Waiter(), 30_000).connect(target, new InetSocketAddress(from, 0));
            connect.addListener(f -> {
                if (f.isSuccess()) {
                    held.channels.add(connect.channel());
                    held.connected.incrementAndGet();
                } else {
                    held.connectFailed.incrementAndGet();
                    held.firstFailure.compareAndSet(null, "connect: " + f.cause());
                }
                inFlight.release(); // last: once every permit is back, every connect is counted
            });
        }
        if (!inFlight.tryAcquire(CONNECTS_IN_FLIGHT, Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            throw held.stalled();
        }
        return held;
    }

    /** 127.0.0.{@code n}. */
    static InetAddress loopback(int n) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) n});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an address", e);
        }
    }

    /** Closes what is open (the caller never gets this object to close) and says how far it got. */
    private IllegalStateException stalled() {
        int opened = connected.get();
        close();
        return new IllegalStateException("opening held connections stalled after " + opened);
    }

    @Override
    public HeldCount count() {
        // Failed: connects that failed, and connections closed before their answer.
        return new HeldCount(connected.get(), answered.get(), connectFailed.get() + closedUnanswered.get(),
                lastAnswerEpochMicros.get());
    }

    @Override
    public String firstFailure() {
        return firstFailure.get();
    }

    @Override
    public HeldCount awaitAnswers(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (answered.get() + closedUnanswered.get() < connected.get()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + answered.get() + " of " + connected.get()
                        + " held connections answered within " + timeout);
            }
            LockSupport.parkNanos(1_000_000L);
        }
        return count();
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
                lastAnswerEpochMicros.accumulateAndGet(HeldCount.nowEpochMicros(), Math::max);
                answered.incrementAndGet();
                ctx.close(); // one exchange, then leave: the proxy's relays end as fast as they start
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            firstFailure.compareAndSet(null, "after connect: " + cause);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!over) {
                over = true;
                closedUnanswered.incrementAndGet();
                firstFailure.compareAndSet(null, "closed before the answer");
            }
        }
    }
}
