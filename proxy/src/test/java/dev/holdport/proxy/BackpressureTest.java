package dev.holdport.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdport.config.TransportChoice;
import dev.holdport.proxy.testing.Backend;
import dev.holdport.proxy.testing.Clients;
import dev.holdport.proxy.testing.TestConfigs;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A fast backend and a slow client: holdport must stop reading the backend, not buffer the difference. */
class BackpressureTest {

    private static final long STREAM = 1L << 30; // 1 GiB
    private static final long CLIENT_BYTES_PER_SECOND = 256L << 20;
    private static final long LIMIT = 64L << 20;

    @TempDir
    Path dir;

    static java.util.List<TransportChoice> transports() {
        return dev.holdport.proxy.testing.Transports.offered();
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aGibibyteToASlowReaderKeepsDirectMemorySmall(TransportChoice transport) throws Exception {
        Backend.Behaviour firehose = socket -> {
            OutputStream out = socket.getOutputStream();
            byte[] chunk = new byte[256 * 1024];
            for (long left = STREAM; left > 0; left -= chunk.length) {
                out.write(chunk, 0, (int) Math.min(left, chunk.length));
            }
            socket.shutdownOutput();
        };
        AtomicLong peak = new AtomicLong();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        try (Backend backend = Backend.start(firehose);
                Proxy proxy = Proxy.start(TestConfigs.config(transport, dir.resolve("s"), TestConfigs.route("a", Map.of("a", backend.port()))));
                Socket socket = Clients.connect(proxy.routes().get(0).listenAddress())) {
            long baseline = directMemoryInUse();
            sampler.scheduleAtFixedRate(() -> peak.accumulateAndGet(directMemoryInUse() - baseline, Math::max), 0, 5, TimeUnit.MILLISECONDS);

            InputStream in = socket.getInputStream();
            byte[] buf = new byte[64 * 1024];
            long received = 0;
            long start = System.nanoTime();
            int n;
            while ((n = in.read(buf)) > 0) {
                received += n;
                // Read no faster than the set rate: pacing the reader, not synchronising with anything.
                long due = start + received * 1_000_000_000L / CLIENT_BYTES_PER_SECOND;
                long ahead = due - System.nanoTime();
                if (ahead > 0) {
                    LockSupport.parkNanos(ahead);
                }
            }
            assertThat(received).isEqualTo(STREAM);
        } finally {
            sampler.shutdownNow();
        }
        System.out.printf("backpressure %s: peak direct memory growth while relaying 1 GiB to a %d MiB/s reader: %.2f MiB%n",
                transport, CLIENT_BYTES_PER_SECOND >> 20, peak.get() / 1048576.0);
        assertThat(peak.get()).as("direct memory growth (bytes)").isLessThan(LIMIT);
    }

    @org.junit.jupiter.api.Test
    void theMeterSeesNettyDirectAllocations() {
        long before = directMemoryInUse();
        io.netty.buffer.ByteBuf big = ByteBufAllocator.DEFAULT.directBuffer(16 << 20);
        try {
            assertThat(directMemoryInUse() - before).isGreaterThanOrEqualTo(16L << 20);
        } finally {
            big.release();
        }
    }

    /** Direct memory in use: Netty's allocator's own count, or the JVM's direct pool, whichever is higher. */
    static long directMemoryInUse() {
        long netty = ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p ? p.metric().usedDirectMemory() : 0;
        long jvm = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
        return Math.max(netty, jvm);
    }
}
