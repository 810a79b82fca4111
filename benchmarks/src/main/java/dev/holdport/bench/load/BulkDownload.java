package dev.holdport.bench.load;

import dev.holdport.bench.process.ProcessStats;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Bulk throughput: {@code streams} connections each read as fast as they can from the bulk
 * source backend; only bytes that arrive inside the measurement window count. One plain blocking
 * thread per stream reading into a large direct buffer: the cheapest possible client.
 */
public final class BulkDownload {

    /**
     * @param bytes           bytes received inside the window
     * @param seconds         the window's length
     * @param proxyCpuSeconds CPU seconds the proxy process spent inside the window; NaN without a proxy
     */
    public record Result(double bytes, double seconds, double proxyCpuSeconds) {

        public double bytesPerSecond() {
            return bytes / seconds;
        }

        /** Bytes relayed per CPU-second of the proxy: its efficiency, independent of spare cores. */
        public double bytesPerCpuSecond() {
            return proxyCpuSeconds > 0 ? bytes / proxyCpuSeconds : Double.NaN;
        }
    }

    private BulkDownload() {}

    public static Result run(InetSocketAddress target, int streams, Duration warmup, Duration measure, OptionalLong proxyPid)
            throws InterruptedException {
        long windowStart = System.nanoTime() + warmup.toNanos();
        long windowEnd = windowStart + measure.toNanos();
        LongAdder bytes = new LongAdder();
        AtomicReference<IOException> failure = new AtomicReference<>();
        List<Thread> readers = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            Thread reader = new Thread(() -> {
                try (SocketChannel channel = SocketChannel.open(target)) {
                    ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
                    long now;
                    do {
                        buffer.clear();
                        int n = channel.read(buffer);
                        if (n < 0) {
                            throw new IOException("bulk source closed the stream early");
                        }
                        now = System.nanoTime();
                        if (now >= windowStart && now < windowEnd) {
                            bytes.add(n);
                        }
                    } while (now < windowEnd);
                } catch (IOException e) {
                    failure.compareAndSet(null, e);
                }
            }, "bulk-reader-" + i);
            reader.setDaemon(true);
            reader.start();
            readers.add(reader);
        }
        double cpuSeconds = Double.NaN;
        if (proxyPid.isPresent()) {
            // Read the proxy's CPU time at the window's edges, on the same clock as the readers.
            sleepUntil(windowStart);
            double before = ProcessStats.cpuSeconds(proxyPid.getAsLong());
            sleepUntil(windowEnd);
            cpuSeconds = ProcessStats.cpuSeconds(proxyPid.getAsLong()) - before;
        }
        long joinDeadline = windowEnd + Duration.ofSeconds(10).toNanos();
        for (Thread reader : readers) {
            reader.join(Math.max(1, (joinDeadline - System.nanoTime()) / 1_000_000));
            if (reader.isAlive()) {
                throw new IllegalStateException("bulk stream stalled: " + reader.getName());
            }
        }
        if (failure.get() != null) {
            throw new IllegalStateException("bulk stream to " + target + " failed", failure.get());
        }
        return new Result(bytes.sum(), measure.toNanos() / 1e9, cpuSeconds);
    }

    private static void sleepUntil(long nanoTime) {
        for (long left = nanoTime - System.nanoTime(); left > 0; left = nanoTime - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }
}
