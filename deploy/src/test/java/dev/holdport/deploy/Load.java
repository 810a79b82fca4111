package dev.holdport.deploy;

import dev.holdport.proxy.testing.Clients;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Continuous client load: each thread asks one request per new connection, at most one every
 * {@value #PACE_MILLIS} ms, until stopped, {@code maxDuration} passes or {@value #MAX_REQUESTS}
 * requests were made. Counts answers by content and keeps every error. Paced because every
 * request costs two loopback connections left in TIME_WAIT, on a machine shared with other
 * test runs.
 */
final class Load implements AutoCloseable {

    static final long PACE_MILLIS = 10;
    static final long MAX_REQUESTS = 50_000;

    private final ExecutorService pool;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<String, LongAdder> answers = new ConcurrentHashMap<>();
    /** A failed request: when it began, and the error. */
    record Failure(Instant startedAt, String error) {}

    private final ConcurrentLinkedQueue<Failure> errors = new ConcurrentLinkedQueue<>();
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final List<Future<?>> clients = new ArrayList<>();

    Load(InetSocketAddress address, int threads, Duration maxDuration) {
        pool = Executors.newFixedThreadPool(threads);
        long deadline = System.nanoTime() + maxDuration.toNanos();
        for (int i = 0; i < threads; i++) {
            clients.add(pool.submit(() -> {
                long next = System.nanoTime();
                while (running.get() && System.nanoTime() - deadline < 0 && requests.incrementAndGet() <= MAX_REQUESTS) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait); // pacing, not synchronisation
                    }
                    next = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PACE_MILLIS);
                    Instant startedAt = Instant.now();
                    try {
                        String answer = Clients.ask(address, "hello");
                        answers.computeIfAbsent(answer, k -> new LongAdder()).increment();
                        served.incrementAndGet();
                    } catch (Exception e) {
                        errors.add(new Failure(startedAt, e.toString()));
                    }
                }
            }));
        }
    }

    long served() {
        return served.get();
    }

    long answered(String answer) {
        LongAdder n = answers.get(answer);
        return n == null ? 0 : n.sum();
    }

    List<String> errors() {
        return errors.stream().map(Failure::error).toList();
    }

    List<Failure> failures() {
        return List.copyOf(errors);
    }

    /** Stops the clients and waits for the requests in flight. */
    Load stop() throws Exception {
        running.set(false);
        for (Future<?> client : clients) {
            client.get(1, TimeUnit.MINUTES);
        }
        pool.shutdown();
        return this;
    }

    @Override
    public void close() {
        running.set(false);
        pool.shutdownNow();
    }
}
