package dev.holdport.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Request/response on long-lived connections: each connection sends a small message, waits for
 * the echo, and sends the next.
 *
 * <p>Closed loop ({@code ratePerSecond == 0}): the next message goes out as soon as the answer
 * is in; this measures the highest request rate. Fixed rate: each connection sends on a schedule
 * and latency is measured from the <em>intended</em> send time, so a stall delays every request
 * queued behind it and shows in the percentiles (coordinated-omission correction, as in wrk2).
 */
public final class KeepAliveLoad {

    public record Settings(
            InetSocketAddress target,
            int connections,
            int messageBytes,
            Duration warmup,
            Duration measure,
            double ratePerSecond) {}

    private KeepAliveLoad() {}

    /** One pass over a fresh set of connections, closed at the end. */
    public static LoadResult run(LoadClient client, Settings settings) throws InterruptedException {
        try (Connections connections = Connections.open(client, settings.target(), settings.connections(), settings.messageBytes())) {
            return connections.pass(settings.warmup(), settings.measure(), settings.ratePerSecond());
        }
    }

    /**
     * Open keep-alive connections to one target that serve several passes in turn, so a scenario
     * can alternate targets every second or so without reconnecting (see
     * {@code KeepAliveRequests}). Passes never overlap: every connection is quiet between them.
     */
    public static final class Connections implements AutoCloseable {

        private final InetSocketAddress target;
        private final ByteBuf message;
        private final List<Exchanger> exchangers = new ArrayList<>();
        private final List<Channel> channels = new ArrayList<>();

        private Connections(InetSocketAddress target, int messageBytes) {
            this.target = target;
            this.message = Message.of(messageBytes);
        }

        public static Connections open(LoadClient client, InetSocketAddress target, int count, int messageBytes)
                throws InterruptedException {
            Connections connections = new Connections(target, messageBytes);
            try {
                for (int i = 0; i < count; i++) {
                    Exchanger exchanger = new Exchanger(connections.message);
                    ChannelFuture connect = client.bootstrap(exchanger, 5_000).connect(target);
                    connections.channels.add(connect.channel());
                    if (!connect.await(10, TimeUnit.SECONDS) || !connect.isSuccess()) {
                        throw new IllegalStateException("cannot connect to " + target, connect.cause());
                    }
                    connections.exchangers.add(exchanger);
                }
                return connections;
            } catch (InterruptedException | RuntimeException e) {
                connections.close();
                throw e;
            }
        }

        /**
         * Exchanges on every connection for {@code warmup} plus {@code measure}; the result counts
         * the exchanges intended to start in the measured part. {@code ratePerSecond} 0 is the
         * closed loop.
         */
        public LoadResult pass(Duration warmup, Duration measure, double ratePerSecond) throws InterruptedException {
            long start = System.nanoTime() + NewConnectionLoad.START_DELAY.toNanos(); // every loop starts on the same clock
            long windowStart = start + warmup.toNanos();
            long windowEnd = windowStart + measure.toNanos();
            LatencyLog log = new LatencyLog(windowStart, windowEnd);
            CountDownLatch finished = new CountDownLatch(exchangers.size());
            long intervalNanos = ratePerSecond > 0 ? (long) (exchangers.size() * 1e9 / ratePerSecond) : 0;
            for (int i = 0; i < exchangers.size(); i++) {
                // Spread the fixed-rate schedules evenly so the connections do not send in lockstep.
                long first = start + (intervalNanos == 0 ? 0 : intervalNanos * i / exchangers.size());
                exchangers.get(i).begin(first, intervalNanos, windowEnd, log, finished);
            }
            boolean done = finished.await(windowEnd - System.nanoTime() + TimeUnit.SECONDS.toNanos(15), TimeUnit.NANOSECONDS);
            if (!done) {
                close();
                throw new IllegalStateException("keep-alive load to " + target + " did not finish: connections stalled");
            }
            return log.result();
        }

        @Override
        public void close() {
            channels.forEach(Channel::close);
        }
    }

    /** One connection's send/receive loop; every callback runs on its channel's event loop. */
    private static final class Exchanger extends ChannelInboundHandlerAdapter {

        private final ByteBuf message;
        private ChannelHandlerContext ctx;
        private long intervalNanos;
        private long end;
        private LatencyLog log;
        private CountDownLatch finished;
        private long intended;
        private int received;
        private boolean closed; // the connection is gone: every later pass ends at once
        private boolean over = true; // this pass is done (or none has begun)

        Exchanger(ByteBuf message) {
            this.message = message;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        void begin(long first, long intervalNanos, long end, LatencyLog log, CountDownLatch finished) {
            // Set on the channel's loop, where every later callback of this pass runs.
            ctx.executor().execute(() -> {
                this.intervalNanos = intervalNanos;
                this.end = end;
                this.log = log;
                this.finished = finished;
                if (closed) {
                    log.failed(Outcome.CLOSED); // died between passes
                    finished.countDown();
                } else {
                    over = false;
                    sendAt(first);
                }
            });
        }

        private void sendAt(long when) {
            intended = when;
            if (intended >= end) {
                finish();
                return;
            }
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                ctx.executor().schedule(this::send, wait, TimeUnit.NANOSECONDS);
            } else {
                send();
            }
        }

        private void send() {
            if (over) {
                return;
            }
            received = 0;
            if (intervalNanos == 0) {
                intended = System.nanoTime(); // closed loop: latency from the actual send
            }
            ctx.writeAndFlush(message.duplicate(), ctx.voidPromise());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            received += in.readableBytes();
            in.release();
            if (over || log == null || received < message.readableBytes()) {
                return;
            }
            long now = System.nanoTime();
            log.record(intended, now, Outcome.OK);
            sendAt(intervalNanos == 0 ? now : intended + intervalNanos);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(Outcome.of(cause));
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closed = true;
            fail(Outcome.CLOSED);
        }

        private void fail(Outcome outcome) {
            if (!over && log != null) {
                // Counted whenever it happens, lead-in and warm-up included: a connection lost
                // there would leave the rest of the pass one connection short, unnoticed.
                log.failed(outcome);
            }
            finish();
        }

        private void finish() {
            if (!over) {
                over = true;
                if (finished != null) {
                    finished.countDown();
                }
            }
        }
    }
}
