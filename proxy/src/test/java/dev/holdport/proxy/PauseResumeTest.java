package dev.holdport.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.holdport.config.OnHoldTimeout;
import dev.holdport.config.RouteConfig;
import dev.holdport.config.TransportChoice;
import dev.holdport.proxy.testing.Backend;
import dev.holdport.proxy.testing.Clients;
import dev.holdport.proxy.testing.TestConfigs;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pause, hold, resume: the gate's behaviour one feature at a time. */
class PauseResumeTest {

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

    private Backend backend(String name) {
        Backend b = Backend.start(Backend.namedAnswer(name));
        toClose.add(b);
        return b;
    }

    private Route start(Map<String, Integer> slots, UnaryOperator<TestConfigs.Builder> change) {
        return start(2, slots, change);
    }

    private Route start(int eventLoops, Map<String, Integer> slots, UnaryOperator<TestConfigs.Builder> change) {
        RouteConfig route = TestConfigs.with(TestConfigs.route("a", slots), change);
        Proxy proxy = Proxy.start(TestConfigs.config(TransportChoice.AUTO, eventLoops, dir.resolve("state.properties"), List.of(route)));
        toClose.add(proxy);
        return proxy.routes().get(0);
    }

    private Future<String> askLater(InetSocketAddress address, String request) {
        return pool.submit(() -> Clients.ask(address, request));
    }

    @Test
    void heldConnectionsWaitAndAreReleasedToTheSlotActiveAtResume() throws Exception {
        Route route = start(Map.of("a", backend("a").port(), "b", backend("b").port()), b -> b);
        assertThat(route.pause().state()).isEqualTo(GateState.PAUSED);
        List<Future<String>> answers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            answers.add(askLater(route.listenAddress(), "hello"));
        }
        await().until(() -> route.status().held() == 5);
        RouteStatus paused = route.status();
        assertThat(paused.totals().accepted()).isEqualTo(5);
        assertThat(paused.oldestHeldAge()).isPositive();
        assertThat(answers).noneMatch(Future::isDone);

        RouteStatus resumed = route.resume("b");
        assertThat(resumed.state()).isEqualTo(GateState.OPEN);
        assertThat(resumed.activeSlot()).isEqualTo("b");
        for (Future<String> answer : answers) {
            assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo("b");
        }
        RouteTotals totals = route.status().totals();
        assertThat(totals.held()).isEqualTo(5);
        assertThat(totals.released()).isEqualTo(5);
        assertThat(totals.relayed()).isEqualTo(5);
        assertThat(route.status().held()).isZero();
    }

    @Test
    void pauseResumeAndSwitchAreIdempotent() {
        Route route = start(Map.of("a", backend("a").port(), "b", backend("b").port()), b -> b);
        route.pause();
        RouteStatus again = route.pause();
        assertThat(again.state()).isEqualTo(GateState.PAUSED);
        assertThat(again.totals().pauses()).isEqualTo(1);
        route.resume();
        assertThat(route.resume().state()).isEqualTo(GateState.OPEN);
        route.switchTo("b");
        RouteStatus switched = route.switchTo("b");
        assertThat(switched.activeSlot()).isEqualTo("b");
        assertThat(switched.totals().switches()).isEqualTo(1);
        assertThatThrownBy(() -> route.switchTo("c")).isInstanceOf(UnknownSlotException.class).hasMessageContaining("no slot \"c\"");
        assertThat(route.status().activeSlot()).isEqualTo("b");
    }

    @Test
    void releaseKeepsArrivalOrder() throws Exception {
        // A backend that records the order in which requests arrive.
        // The backend accepts on one thread, so its accept order is the order holdport connected in.
        java.util.concurrent.ConcurrentSkipListMap<Integer, String> arrivals = new java.util.concurrent.ConcurrentSkipListMap<>();
        Backend[] recorder = new Backend[1];
        recorder[0] = Backend.start(socket -> {
            String line = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            arrivals.put(recorder[0].acceptIndex(socket), line);
            socket.getOutputStream().write("ok\n".getBytes(StandardCharsets.US_ASCII));
        });
        toClose.add(recorder[0]);
        // One event loop: the gate releases in arrival order, and each released connection connects
        // on its own loop. With several loops, a loop that is late (a busy machine) can let the next
        // release's connect reach the backend first, e.g. when the pacer catches up on missed ticks.
        Route route = start(1, Map.of("a", recorder[0].port()), b -> b.resumeMaxRate(50));
        route.pause();
        List<Future<String>> answers = new ArrayList<>();
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int held = i;
            answers.add(askLater(route.listenAddress(), "client-" + i));
            sent.add("client-" + i);
            await().until(() -> route.status().held() == held + 1); // one at a time: a known arrival order
        }
        route.resume();
        for (Future<String> answer : answers) {
            assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
        }
        assertThat(arrivals.values()).containsExactlyElementsOf(sent);
    }

    @Test
    void bytesSentWhileHeldReachTheBackendIntact() throws Exception {
        int size = 1 << 20;
        CompletableFuture<Long> backendCrc = new CompletableFuture<>();
        Backend summer = Backend.start(socket -> {
            byte[] all = new DataInputStream(socket.getInputStream()).readNBytes(size);
            CRC32 crc = new CRC32();
            crc.update(all);
            backendCrc.complete(all.length == size ? crc.getValue() : -1);
            socket.getOutputStream().write("done\n".getBytes(StandardCharsets.US_ASCII));
        });
        toClose.add(summer);
        Route route = start(Map.of("a", summer.port()), b -> b);
        route.pause();
        byte[] payload = new byte[size];
        new Random(42).nextBytes(payload);
        CRC32 crc = new CRC32();
        crc.update(payload);
        try (Socket socket = Clients.connect(route.listenAddress())) {
            // Sent at once, while held: what does not fit in holdport's one read waits in the kernel.
            Future<?> writer = pool.submit(() -> {
                OutputStream out = socket.getOutputStream();
                out.write(payload);
                out.flush();
                return null;
            });
            await().until(() -> route.status().held() == 1);
            assertThat(backendCrc).isNotDone();
            route.resume();
            writer.get(10, TimeUnit.SECONDS);
            assertThat(backendCrc.get(10, TimeUnit.SECONDS)).isEqualTo(crc.getValue());
            assertThat(new BufferedReader(new InputStreamReader(socket.getInputStream())).readLine()).isEqualTo("done");
        }
    }

    @Test
    void aHeldClientThatHangsUpIsCountedAbandonedAndLeavesTheQueue() throws Exception {
        Route route = start(Map.of("a", backend("a").port()), b -> b);
        route.pause();
        Socket quitter = Clients.connect(route.listenAddress());
        Future<String> stayer = askLater(route.listenAddress(), "hi");
        await().until(() -> route.status().held() == 2);
        quitter.close();
        await().until(() -> route.status().held() == 1);
        assertThat(route.status().totals().abandoned()).isEqualTo(1);
        route.resume();
        assertThat(stayer.get(10, TimeUnit.SECONDS)).isEqualTo("a");
        RouteTotals totals = route.status().totals();
        assertThat(totals.accepted()).isEqualTo(totals.relayed() + totals.closedTotal());
    }

    @Test
    void heldPastTheHoldTimeoutIsClosed() throws Exception {
        Route route = start(Map.of("a", backend("a").port()), b -> b.hold(100_000, Duration.ofMillis(300), OnHoldTimeout.CLOSE));
        route.pause();
        try (Socket socket = Clients.connect(route.listenAddress())) {
            assertThat(socket.getInputStream().read()).as("closed by holdport").isEqualTo(-1);
        }
        await().until(() -> route.status().totals().timedOut() == 1);
        assertThat(route.status().totals().closed().get(CloseReason.HOLD_TIMEOUT)).isEqualTo(1);
        assertThat(route.status().held()).isZero();
    }

    @Test
    void heldPastTheHoldTimeoutIsForwardedWhenConfigured() throws Exception {
        Route route = start(Map.of("a", backend("a").port()), b -> b.hold(100_000, Duration.ofMillis(300), OnHoldTimeout.FORWARD));
        route.pause();
        assertThat(Clients.ask(route.listenAddress(), "hi")).isEqualTo("a");
        assertThat(route.status().state()).as("still paused: only that connection went through").isEqualTo(GateState.PAUSED);
        assertThat(route.status().totals().relayed()).isEqualTo(1);
    }

    @Test
    void aConnectionRetryingARefusingSlotWaitsWithTheHeldOnesOnceTheRouteIsPausedAndIsServedFirst() throws Exception {
        int portA = dev.holdport.proxy.testing.FreePort.pick(); // nothing listens: slot a refuses
        // By the order the backend accepted them (its handlers run on threads of their own).
        java.util.concurrent.ConcurrentSkipListMap<Integer, String> arrivals = new java.util.concurrent.ConcurrentSkipListMap<>();
        Backend[] recorder = new Backend[1];
        recorder[0] = Backend.start(socket -> {
            String line = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            arrivals.put(recorder[0].acceptIndex(socket), line);
            socket.getOutputStream().write("b\n".getBytes(StandardCharsets.US_ASCII));
        });
        Backend b = recorder[0];
        toClose.add(b);
        // One loop, so the releases connect in the order they leave the queue.
        Route route = start(1, Map.of("a", portA, "b", b.port()),
                c -> c.backend(Duration.ofSeconds(5), Duration.ofSeconds(30)));
        Future<String> early = askLater(route.listenAddress(), "early");
        await().until(() -> route.status().connecting() == 1); // retrying a

        // Crash masking (or an operator) pauses the route while a is down.
        route.pause();
        await().until(() -> route.status().held() == 1);
        assertThat(route.status().connecting()).isZero();
        Future<String> late = askLater(route.listenAddress(), "late");
        await().until(() -> route.status().held() == 2);

        route.resume("b");
        assertThat(early.get(10, TimeUnit.SECONDS)).isEqualTo("b");
        assertThat(late.get(10, TimeUnit.SECONDS)).isEqualTo("b");
        assertThat(arrivals.values()).as("arrival order").containsExactly("early", "late");
        RouteTotals totals = route.status().totals();
        assertThat(totals.closedTotal()).isZero();
        assertThat(totals.relayed()).isEqualTo(2);
        // Slot a's count was given back when the connection left it: nothing stays counted there.
        await().until(() -> route.status().slots().stream().allMatch(slot -> slot.liveRelays() == 0));
    }

    @Test
    void aConnectionForwardedByItsHoldTimeoutToARefusingSlotIsNotHeldAgainInTheSamePause() throws Exception {
        int portA = dev.holdport.proxy.testing.FreePort.pick(); // nothing listens: slot a refuses
        Route route = start(Map.of("a", portA), c -> c.hold(100_000, Duration.ofMillis(200), OnHoldTimeout.FORWARD)
                .backend(Duration.ofSeconds(5), Duration.ofMillis(500)));
        route.pause();
        Future<String> answer = askLater(route.listenAddress(), "hi");

        // Forwarded after 200 ms, refused for 500 ms, then closed: hold.timeout still bounds the
        // wait, instead of a loop between the queue and the refusing slot for as long as the pause.
        await().until(() -> route.status().totals().closed().get(CloseReason.BACKEND_UNAVAILABLE) == 1);
        assertThat(route.status().totals().held()).as("held once").isEqualTo(1);
        assertThat(route.status().held()).isZero();
        assertThatThrownBy(() -> answer.get(10, TimeUnit.SECONDS)).as("closed without an answer")
                .isInstanceOf(java.util.concurrent.ExecutionException.class);
    }

    @Test
    void aConnectionRetryingARefusingSlotGoesToTheSlotMadeActiveMeanwhile() throws Exception {
        int portA = dev.holdport.proxy.testing.FreePort.pick(); // nothing listens: slot a refuses
        Route route = start(Map.of("a", portA, "b", backend("b").port()),
                c -> c.backend(Duration.ofSeconds(5), Duration.ofSeconds(30)));
        Future<String> answer = askLater(route.listenAddress(), "hi");
        await().until(() -> route.status().connecting() == 1); // retrying a

        route.switchTo("b");

        assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo("b");
        assertThat(route.status().totals().closedTotal()).isZero();
    }

    @Test
    void aForgottenPauseEndsByItself() throws Exception {
        Route route = start(Map.of("a", backend("a").port()), b -> b.pauseMaxDuration(Duration.ofMillis(500)));
        route.pause();
        Future<String> answer = askLater(route.listenAddress(), "hi");
        await().atMost(Duration.ofSeconds(10)).until(() -> route.status().state() == GateState.OPEN);
        assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo("a");
    }

    @Test
    void anExpiredPauseIsResumedOffTheEventLoops() throws Exception {
        Route route = start(Map.of("a", backend("a").port()), b -> b.pauseMaxDuration(Duration.ofMillis(300)));
        // What a state change runs (listeners, then the state file's fsync) must not hold up the
        // relays of the loop the timer fired on.
        CompletableFuture<Boolean> onALoop = new CompletableFuture<>();
        route.onStateChange(() -> {
            if (route.status().state() == GateState.OPEN) {
                onALoop.complete(route.control().inEventLoop()); // the loop the expiry timer fires on
            }
        });
        route.pause();
        assertThat(onALoop.get(10, TimeUnit.SECONDS)).as("resumed on the timer's event loop").isFalse();
    }

    @Test
    void pastMaxHeldConnectionsClientsWaitInTheBacklogInsteadOfBeingRefused() throws Exception {
        int max = 5;
        int clients = 40;
        Route route = start(Map.of("a", backend("a").port()), b -> b.hold(max, Duration.ofSeconds(60), OnHoldTimeout.CLOSE));
        route.pause();
        List<Future<String>> answers = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            answers.add(askLater(route.listenAddress(), "hi"));
        }
        await().until(() -> route.status().held() >= max);
        // Accepting stops once the queue is full (the accept loop may take a few more in the same batch).
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                .until(() -> route.status().totals().accepted() < clients);
        route.resume();
        for (Future<String> answer : answers) {
            assertThat(answer.get(20, TimeUnit.SECONDS)).isEqualTo("a");
        }
        assertThat(route.status().totals().accepted()).isEqualTo(clients);
    }

    @Test
    void atTheHoldLimitClientsComingAndGoingNeverLeaveAListenerDeaf() throws Exception {
        // Every arrival at the limit stops the listeners (one per event loop) and every hang-up
        // below it restarts them, from whichever loop the event happened on. Were a "stop" from
        // one loop applied after a later "start" on the listener's own loop, that listener would
        // never accept again and the clients the kernel hands it would wait forever.
        int max = 2;
        Route route = start(Map.of("a", backend("a").port()), b -> b.hold(max, Duration.ofSeconds(60), OnHoldTimeout.CLOSE));
        route.pause();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        for (int round = 0; round < 300 && System.nanoTime() < deadline; round++) {
            List<Socket> batch = new ArrayList<>();
            for (int i = 0; i < max + 1; i++) {
                batch.add(Clients.connect(route.listenAddress()));
            }
            for (Socket socket : batch) {
                socket.close();
            }
        }
        await().until(() -> route.status().held() == 0);
        route.resume();
        List<Future<String>> answers = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            answers.add(askLater(route.listenAddress(), "hi"));
        }
        for (Future<String> answer : answers) {
            assertThat(answer.get(10, TimeUnit.SECONDS)).as("answered: every listener still accepts").isEqualTo("a");
        }
    }

    @Test
    void resumingBeforeTheNewBackendListensCostsNoClientAnything() throws Exception {
        int port = dev.holdport.proxy.testing.FreePort.pick();
        Route route = start(Map.of("a", port), b -> b);
        route.pause();
        Future<String> answer = askLater(route.listenAddress(), "hi");
        await().until(() -> route.status().held() == 1);
        route.resume(); // nothing listens yet: the release retries the refused connect
        await().until(() -> route.status().connecting() == 1);
        toClose.add(Backend.start(port, Backend.namedAnswer("new")));
        assertThat(answer.get(15, TimeUnit.SECONDS)).isEqualTo("new");
        assertThat(route.status().totals().failed()).isZero();
    }
}
