package dev.holdport.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.holdport.config.TransportChoice;
import dev.holdport.proxy.testing.Backend;
import dev.holdport.proxy.testing.Clients;
import dev.holdport.proxy.testing.TestConfigs;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The no-stranding invariant under fire: short connections racing a thread that flips
 * pause / resume / switch between two slots every 1–5 ms.
 */
class GateStressTest {

    private static final int CLIENT_THREADS = 8;
    private static final int CONNECTIONS = 20_000;

    @TempDir
    Path dir;

    static List<TransportChoice> transports() {
        return dev.holdport.proxy.testing.Transports.offered();
    }

    /** A change of the active slot: the call began and returned at these nanoTimes (end = MAX while in progress). */
    record Change(long begin, long end, String active) {}

    @ParameterizedTest
    @MethodSource("transports")
    void noConnectionIsStrandedWhileTheGateFlips(TransportChoice transport) throws Exception {
        try (Backend a = Backend.start(Backend.namedAnswer("a"));
                Backend b = Backend.start(Backend.namedAnswer("b"));
                Proxy proxy = Proxy.start(TestConfigs.config(transport, dir.resolve("state.properties"),
                        TestConfigs.route("a", Map.of("a", a.port(), "b", b.port()))))) {
            Route route = proxy.routes().get(0);
            InetSocketAddress address = route.listenAddress();
            List<Change> history = new CopyOnWriteArrayList<>(List.of(new Change(System.nanoTime(), System.nanoTime(), "a")));
            AtomicInteger remaining = new AtomicInteger(CONNECTIONS);
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<String> wrongSlot = new ConcurrentLinkedQueue<>();
            AtomicLong flips = new AtomicLong();

            ExecutorService pool = Executors.newFixedThreadPool(CLIENT_THREADS + 1);
            try {
                Future<?> flipper = pool.submit(() -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    while (remaining.get() > 0) {
                        switch (random.nextInt(4)) {
                            case 0 -> route.pause();
                            case 1 -> route.resume();
                            case 2 -> {
                                String slot = random.nextBoolean() ? "a" : "b";
                                // Listed before the call (still in progress: end = MAX), completed after it.
                                long begin = System.nanoTime();
                                history.add(new Change(begin, Long.MAX_VALUE, slot));
                                route.resume(slot);
                                history.set(history.size() - 1, new Change(begin, System.nanoTime(), slot));
                            }
                            default -> {
                                String slot = random.nextBoolean() ? "a" : "b";
                                // Listed before the call (still in progress: end = MAX), completed after it.
                                long begin = System.nanoTime();
                                history.add(new Change(begin, Long.MAX_VALUE, slot));
                                route.switchTo(slot);
                                history.set(history.size() - 1, new Change(begin, System.nanoTime(), slot));
                            }
                        }
                        flips.incrementAndGet();
                        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(random.nextLong(1000, 5000)));
                    }
                    route.resume();
                });
                List<Future<?>> clients = new ArrayList<>();
                for (int t = 0; t < CLIENT_THREADS; t++) {
                    clients.add(pool.submit(() -> {
                        while (remaining.getAndDecrement() > 0) {
                            long start = System.nanoTime();
                            try {
                                String answer = Clients.ask(address, "hello");
                                long end = System.nanoTime();
                                if (!activeDuring(history, start, end).contains(answer)) {
                                    StringBuilder around = new StringBuilder();
                                    for (Change c : history) {
                                        if ((c.end() == Long.MAX_VALUE || c.end() > start - 50_000_000L) && c.begin() < end + 5_000_000L) {
                                            around.append(" [").append((c.begin() - start) / 1000).append("us..")
                                                    .append((c.end() - start) / 1000).append("us ").append(c.active()).append(']');
                                        }
                                    }
                                    wrongSlot.add(answer + " in a window of " + (end - start) / 1000 + "us; changes:" + around);
                                }
                            } catch (Exception e) {
                                failures.add(e.toString());
                            }
                        }
                    }));
                }
                for (Future<?> client : clients) {
                    client.get(3, TimeUnit.MINUTES);
                }
                flipper.get(1, TimeUnit.MINUTES);
            } finally {
                pool.shutdownNow();
            }

            assertThat(failures).as("failed clients").isEmpty();
            assertThat(wrongSlot).as("answers from a slot that was not active when released").isEmpty();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                RouteStatus s = route.status();
                return s.held() == 0 && s.connecting() == 0 && s.liveRelays() == 0;
            });
            RouteTotals totals = route.status().totals();
            assertThat(totals.accepted()).isEqualTo(CONNECTIONS);
            assertThat(totals.accepted()).as("accepted = relayed + closed with a reason")
                    .isEqualTo(totals.relayed() + totals.closedTotal());
            assertThat(totals.closedTotal()).isZero();
            assertThat(totals.held()).isEqualTo(totals.released());
            System.out.printf("stress %s: %d connections, %d flips, %d held and released, %d pauses, %d switches%n",
                    transport, totals.accepted(), flips.get(), totals.held(), totals.pauses(), totals.switches());
        }
    }

    /**
     * The slots that may have been active at some instant in [start, end]: the one in force at
     * start (set by the last change that had returned by then), and the target of every change
     * whose call overlapped the window (it took effect somewhere inside its call).
     */
    private static Set<String> activeDuring(List<Change> history, long start, long end) {
        Set<String> slots = new java.util.HashSet<>();
        String atStart = history.get(0).active();
        for (Change change : history) {
            boolean done = change.end() != Long.MAX_VALUE;
            if (done && change.end() - start <= 0) {
                atStart = change.active();
            }
            if (change.begin() - end <= 0 && (!done || change.end() - start >= 0)) {
                slots.add(change.active());
            }
        }
        slots.add(atStart);
        return slots;
    }
}
