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

    public static LoadResult run(LoadClient client, Settings settings) throws InterruptedException {
        ByteBuf message = Message.of(settings.messageBytes());
        List<Exchanger> exchangers = new ArrayList<>();
        List<Channel> channels = new ArrayList<>();
        for (int i = 0; i < settings.connections(); i++) {
            Exchanger exchanger = new Exchanger(message);
            ChannelFuture connect = client.bootstrap(exchanger, 5_000).connect(settings.target());
            if (!connect.await(10, TimeUnit.SECONDS) || !connect.isSuccess()) {
                channels.forEach(Channel::close);
                throw new IllegalStateException("cannot connect to " + settings.target(), connect.cause());
            }
            exchangers.add(exchanger);
            channels.add(connect.channel());
        }

        long start = System.nanoTime() + 10_000_000L; // every loop starts on the same clock
        long windowStart = start + settings.warmup().toNanos();
        long windowEnd = windowStart + settings.measure().toNanos();
        LatencyLog log = new LatencyLog(windowStart, windowEnd);
        CountDownLatch finished = new CountDownLatch(exchangers.size());
        long intervalNanos = settings.ratePerSecond() > 0
                ? (long) (settings.connections() * 1e9 / settings.ratePerSecond())
                : 0;
        for (int i = 0; i < exchangers.size(); i++) {
            // Spread the fixed-rate schedules evenly so the connections do not send in lockstep.
            long first = start + (intervalNanos == 0 ? 0 : intervalNanos * i / exchangers.size());
            exchangers.get(i).begin(first, intervalNanos, windowEnd, log, finished);
        }
        boolean done = finished.await(windowEnd - System.nanoTime() + TimeUnit.SECONDS.toNanos(15), TimeUnit.NANOSECONDS);
        channels.forEach(Channel::close);
        if (!done) {
            throw new IllegalStateException("keep-alive load did not finish: connections stalled");
        }
        return log.result();
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
        private boolean over;

        Exchanger(ByteBuf message) {
            this.message = message;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        void begin(long first, long intervalNanos, long end, LatencyLog log, CountDownLatch finished) {
            this.intervalNanos = intervalNanos;
            this.end = end;
            this.log = log;
            this.finished = finished;
            ctx.executor().execute(() -> {
                if (over) {
                    finished.countDown(); // the connection died before the load began
                } else {
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
            fail(Outcome.CLOSED);
        }

        private void fail(Outcome outcome) {
            if (!over && log != null) {
                log.record(intended, System.nanoTime(), outcome);
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
