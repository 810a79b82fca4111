package dev.holdport.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.holdport.config.HoldportConfig;
import dev.holdport.config.RouteConfig;
import dev.holdport.config.TransportChoice;
import dev.holdport.proxy.testing.Backend;
import dev.holdport.proxy.testing.LineClient;
import dev.holdport.proxy.testing.TestConfigs;
import dev.holdport.proxy.testing.Transports;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The process-wide limit on client connections: past it, clients wait in the listen backlog
 * (never refused), and are all served once connections close or a pause ends.
 */
class ConnectionLimitTest {

    @TempDir
    Path dir;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void tearDown() throws Exception {
        pool.shutdownNow();
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    static List<TransportChoice> transports() {
        return Transports.offered();
    }

    private Proxy start(TransportChoice transport, int maxClientConnections) {
        Backend backend = Backend.start(Backend.namedEcho("a"));
        toClose.add(backend);
        RouteConfig route = TestConfigs.route("a", Map.of("a", backend.port()));
        HoldportConfig config = TestConfigs.config(transport, dir.resolve("state.properties"), route)
                .withMaxClientConnections(maxClientConnections);
        Proxy proxy = Proxy.start(config);
        toClose.add(proxy);
        return proxy;
    }

    private LineClient connect(InetSocketAddress address) throws Exception {
        LineClient client = LineClient.connect(address);
        toClose.add(client);
        return client;
    }

    @ParameterizedTest
    @MethodSource("transports")
    void pastTheLimitNewClientsWaitUntilConnectionsClose(TransportChoice transport) throws Exception {
        Proxy proxy = start(transport, 10);
        Route route = proxy.routes().get(0);
        InetSocketAddress address = route.listenAddress();
        List<LineClient> first = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            LineClient client = connect(address);
            assertThat(client.exchange("first " + i)).isEqualTo("a: first " + i);
            first.add(client);
        }
        assertThat(proxy.openClientConnections()).isEqualTo(10);

        // The kernel completes these connections; holdport leaves them in the backlog (io_uring's
        // multishot accept may take one or two that arrived before the listeners stopped).
        List<LineClient> waiting = connectAndSend(address, "waiting", 30);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                .until(() -> route.status().totals().accepted() < 40);

        for (LineClient client : first) {
            client.close();
        }
        assertEachAnswered(answerAndLeave(waiting), "waiting");
        assertThat(route.status().totals().accepted()).isEqualTo(40);
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.openClientConnections() == 0);
    }

    /** {@code count} clients, each sending its line {@code "<prefix> <i>"} at once. */
    private List<LineClient> connectAndSend(InetSocketAddress address, String prefix, int count) throws Exception {
        List<LineClient> clients = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            LineClient client = connect(address);
            client.send(prefix + " " + i);
            clients.add(client);
        }
        return clients;
    }

    /** Every client of {@link #connectAndSend} got its own line back from slot a. */
    private static void assertEachAnswered(List<Future<String>> answers, String prefix) throws Exception {
        for (int i = 0; i < answers.size(); i++) {
            assertThat(answers.get(i).get(30, TimeUnit.SECONDS)).isEqualTo("a: " + prefix + " " + i);
        }
    }

    /**
     * Each client reads its answer, then leaves, making room for those still in the backlog. All
     * read at once: with a listener per event loop the backlog is one queue per listener, so
     * clients are not accepted in the order the test opened them.
     */
    private List<Future<String>> answerAndLeave(List<LineClient> clients) {
        List<Future<String>> answers = new ArrayList<>();
        for (LineClient client : clients) {
            answers.add(pool.submit(() -> {
                try (client) {
                    return client.readLine();
                }
            }));
        }
        return answers;
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aFloodWhilePausedPastTheLimitIsAllServedAfterResume(TransportChoice transport) throws Exception {
        Proxy proxy = start(transport, 10);
        Route route = proxy.routes().get(0);
        route.pause();
        List<LineClient> clients = connectAndSend(route.listenAddress(), "held", 100);
        // All 100 may be accepted in one go: io_uring's multishot accept takes the whole backlog
        // when armed. Those that come after the limit wait in the backlog.
        await().atMost(Duration.ofSeconds(10)).until(() -> route.status().held() >= 10);
        if (transport == TransportChoice.NIO) {
            // NIO looks at auto-read again after each read of up to 16 accepts: it stops near the
            // limit. How near depends on when each loop runs the task that stops its listener (a
            // busy loop may read once more first): at most two reads for each of the 2 listeners.
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                    .until(() -> route.status().totals().accepted() <= 10 + 2 * 2 * 16);
        }

        route.resume();
        assertEachAnswered(answerAndLeave(clients), "held");
        assertThat(route.status().totals().closedTotal()).as("nobody was closed unrelayed").isZero();
    }

    /**
     * A failed accept (out of files some other way) is handled by the route, not passed on to
     * Netty's acceptor, which would turn accepting back on a second later whatever the limit
     * says; and the listener accepts again once the limit allows.
     */
    @ParameterizedTest
    @MethodSource("transports")
    void aFailedAcceptDoesNotTurnAcceptingBackOnPastTheLimit(TransportChoice transport) throws Exception {
        Proxy proxy = start(transport, 1);
        Route route = proxy.routes().get(0);
        LineClient first = connect(route.listenAddress());
        assertThat(first.exchange("first")).isEqualTo("a: first");
        await().atMost(Duration.ofSeconds(5)).until(() -> route.listeners().stream().noneMatch(l -> l.config().isAutoRead()));

        for (io.netty.channel.Channel listener : route.listeners()) {
            listener.eventLoop().submit(() -> listener.pipeline().fireExceptionCaught(
                    new java.io.IOException("accept(..) failed: Too many open files"))).sync();
        }
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
                .until(() -> route.listeners().stream().noneMatch(l -> l.config().isAutoRead()));

        first.close();
        LineClient next = connect(route.listenAddress());
        assertThat(next.exchange("next")).isEqualTo("a: next");
    }

    @Test
    void theLimitIsReachedAtMaxAndLeftSomewhatBelowIt() {
        AtomicInteger changes = new AtomicInteger();
        ConnectionLimit limit = new ConnectionLimit(128, changes::incrementAndGet);
        for (int i = 0; i < 127; i++) {
            limit.opened();
        }
        assertThat(limit.full()).isFalse();
        limit.opened();
        assertThat(limit.full()).isTrue();
        limit.closed();
        assertThat(limit.full()).as("one below the limit: not yet accepting, or it would flip at every connection").isTrue();
        limit.closed();
        assertThat(limit.full()).as("128 - 128/64 = 126 open").isFalse();
        assertThat(changes).hasValue(2);
    }

    /**
     * Threads opening and closing around the limit at once: whatever the interleaving, the flag
     * ends where the final count says (a limit reached just as connections closed must not stay
     * full with nothing left open to close).
     */
    @Test
    void racingOpensAndClosesLeaveTheFlagMatchingTheCount() throws Exception {
        for (int round = 0; round < 200; round++) {
            ConnectionLimit limit = new ConnectionLimit(8, () -> {});
            int threads = 4;
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread worker = new Thread(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    int held = 0;
                    for (int step = 0; step < 2_000; step++) {
                        if (held < 4 && (held == 0 || ThreadLocalRandom.current().nextBoolean())) {
                            limit.opened();
                            held++;
                        } else {
                            limit.closed();
                            held--;
                        }
                    }
                    while (held-- > 0) {
                        limit.closed();
                    }
                });
                worker.start();
                workers.add(worker);
            }
            start.countDown();
            for (Thread worker : workers) {
                worker.join();
            }
            assertThat(limit.open()).isZero();
            assertThat(limit.full()).as("round %d", round).isFalse();
        }
    }

    @Test
    void theKernelsBacklogCapIsReadWhole() throws Exception {
        String text = java.nio.file.Files.readAllLines(Path.of("/proc/sys/net/core/somaxconn")).get(0).trim();
        assertThat(ConnectionLimit.somaxconn()).isEqualTo(Integer.parseInt(text));
    }

    @Test
    void theAcceptBurstIsWhatListenersCanTakeBeforeTheyStop() {
        RouteConfig small = TestConfigs.with(TestConfigs.route("a", Map.of("a", 9001)), b -> b.backlog(200));
        RouteConfig deep = TestConfigs.with(TestConfigs.route("deep", "a", Map.of("a", 9002)), b -> b.backlog(65_535));
        HoldportConfig config = TestConfigs.config(TransportChoice.NIO, dir.resolve("state.properties"), List.of(small, deep));
        HoldportConfig oneRoute = TestConfigs.config(TransportChoice.NIO, dir.resolve("state.properties"), small);

        assertThat(ConnectionLimit.acceptBurst(oneRoute, true, 2, 4096)).as("io_uring: every backlog, per loop").isEqualTo(2 * 200);
        assertThat(ConnectionLimit.acceptBurst(config, true, 2, 4096))
                .as("io_uring: past a full completion queue too").isEqualTo(2 * (200 + 4096));
        assertThat(ConnectionLimit.acceptBurst(config, true, 1, 128)).as("backlogs as the kernel caps them").isEqualTo(128 + 128);
        assertThat(ConnectionLimit.acceptBurst(config, false, 4, 4096)).as("NIO: one read per listener").isEqualTo(4 * 2 * 16);
    }
}
