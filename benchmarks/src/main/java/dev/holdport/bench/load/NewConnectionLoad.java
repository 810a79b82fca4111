package dev.holdport.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A new connection per request: connect, send a small message, read the echo, close. Latency runs
 * from the start of the connect to the last byte of the answer.
 *
 * <p>Closed loop ({@code ratePerSecond == 0}): {@code concurrency} loops each start the next
 * exchange when the previous one ends; this measures the highest connection rate. Fixed rate:
 * exchanges start on a schedule whatever happens to earlier ones, and latency counts from the
 * intended start (used by the deploy scenario, where a stall must not slow the load down).
 */
public final class NewConnectionLoad {

    /** The load starts this long after {@code run} is called; its window opens a warm-up later. */
    public static final Duration START_DELAY = Duration.ofMillis(10);

    public record Settings(
            InetSocketAddress target,
            int concurrency,
            double ratePerSecond,
            int messageBytes,
            Duration warmup,
            Duration measure,
            Duration timeout) {}

    /** One exchange, kept when the caller asks for every sample (the deploy scenario does). */
    public record Sample(long intendedNanos, long latencyNanos, Outcome outcome) {}

    private final LoadClient client;
    private final Settings settings;
    private final ByteBuf message;
    private final LatencyLog log;
    private final long start;
    private final long windowEnd;
    private final ConcurrentLinkedQueue<Sample> samples;
    private final AtomicInteger outstanding = new AtomicInteger();
    private final CountDownLatch drained = new CountDownLatch(1);

    private NewConnectionLoad(LoadClient client, Settings settings, ConcurrentLinkedQueue<Sample> samples) {
        this.client = client;
        this.settings = settings;
        this.message = Message.of(settings.messageBytes());
        this.start = System.nanoTime() + START_DELAY.toNanos();
        long windowStart = start + settings.warmup().toNanos();
        this.windowEnd = windowStart + settings.measure().toNanos();
        this.log = new LatencyLog(windowStart, windowEnd);
        this.samples = samples;
    }

    public static LoadResult run(LoadClient client, Settings settings) throws InterruptedException {
        return new NewConnectionLoad(client, settings, null).drive();
    }

    /** Runs like {@link #run} and also adds every exchange, in or out of the window, to {@code samples}. */
    public static LoadResult run(LoadClient client, Settings settings, List<Sample> samples) throws InterruptedException {
        ConcurrentLinkedQueue<Sample> queue = new ConcurrentLinkedQueue<>();
        LoadResult result = new NewConnectionLoad(client, settings, queue).drive();
        samples.addAll(queue);
        return result;
    }

    private LoadResult drive() throws InterruptedException {
        outstanding.incrementAndGet(); // held by the driver until every exchange has been started
        if (settings.ratePerSecond() > 0) {
            long interval = (long) (1e9 / settings.ratePerSecond());
            EventLoop loop = client.group().next();
            loop.execute(new Pacer(loop, interval));
        } else {
            for (int i = 0; i < settings.concurrency(); i++) {
                EventLoop loop = client.group().next();
                loop.execute(() -> startExchange(System.nanoTime(), true));
            }
            // The loops restart themselves until the window ends; release the driver's share then.
            client.group().next().schedule(this::release, Math.max(0, windowEnd - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        long limit = windowEnd - System.nanoTime() + settings.timeout().toNanos() + TimeUnit.SECONDS.toNanos(10);
        if (!drained.await(limit, TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException("new-connection load did not finish: " + outstanding.get() + " exchanges stuck");
        }
        return log.result();
    }

    private void release() {
        if (outstanding.decrementAndGet() == 0) {
            drained.countDown();
        }
    }

    private void startExchange(long intended, boolean loop) {
        outstanding.incrementAndGet();
        Exchange exchange = new Exchange(intended, loop);
        ChannelFuture connect = client.bootstrap(exchange, (int) settings.timeout().toMillis()).connect(settings.target());
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                exchange.end(Outcome.of(f.cause()));
            }
        });
    }

    private void ended(long intended, Outcome outcome, boolean loop) {
        long now = System.nanoTime();
        log.record(intended, now, outcome);
        if (samples != null) {
            samples.add(new Sample(intended, now - intended, outcome));
        }
        if (loop && now < windowEnd) {
            startExchange(now, true);
        }
        release();
    }

    /** Starts exchanges at a fixed rate until the window ends, catching up after any delay. */
    private final class Pacer implements Runnable {
        private final EventLoop loop;
        private final long interval;
        private long next = start;

        Pacer(EventLoop loop, long interval) {
            this.loop = loop;
            this.interval = interval;
        }

        @Override
        public void run() {
            long now = System.nanoTime();
            while (next <= now && next < windowEnd) {
                startExchange(next, false);
                next += interval;
            }
            if (next >= windowEnd) {
                release();
            } else {
                loop.schedule(this, next - now, TimeUnit.NANOSECONDS);
            }
        }
    }

    /** One connection: connect, send, read the full echo, close; ends exactly once. */
    private final class Exchange extends ChannelInboundHandlerAdapter {
        private final long intended;
        private final boolean loop;
        private ChannelHandlerContext ctx;
        private ScheduledFuture<?> timer;
        private int received;
        private Outcome failure;
        private boolean over;

        Exchange(long intended, boolean loop) {
            this.intended = intended;
            this.loop = loop;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            long left = intended + settings.timeout().toNanos() - System.nanoTime();
            timer = ctx.executor().schedule(() -> {
                end(Outcome.TIMEOUT);
                ctx.close();
            }, Math.max(0, left), TimeUnit.NANOSECONDS);
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(message.duplicate(), ctx.voidPromise());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            received += in.readableBytes();
            in.release();
            if (received >= message.readableBytes()) {
                end(Outcome.OK);
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (failure == null) {
                failure = Outcome.of(cause);
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            end(failure != null ? failure : Outcome.CLOSED);
        }

        void end(Outcome outcome) {
            if (over) {
                return;
            }
            over = true;
            if (timer != null) {
                timer.cancel(false);
            }
            ended(intended, outcome, loop);
        }
    }
}
