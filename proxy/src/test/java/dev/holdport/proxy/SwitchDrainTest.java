package dev.holdport.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.holdport.config.TransportChoice;
import dev.holdport.proxy.testing.Backend;
import dev.holdport.proxy.testing.Clients;
import dev.holdport.proxy.testing.LineClient;
import dev.holdport.proxy.testing.TestConfigs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A/B: switch while open, old relays drain, roll back the same way. */
class SwitchDrainTest {

    @TempDir
    Path dir;

    @Test
    void switchSendsNewConnectionsToTheNewSlotWhileOldOnesDrain() throws Exception {
        try (Backend a = Backend.start(Backend.namedAnswer("a"));
                Backend b = Backend.start(Backend.namedAnswer("b"));
                Proxy proxy = Proxy.start(TestConfigs.config(TransportChoice.AUTO, dir.resolve("state.properties"),
                        TestConfigs.route("a", Map.of("a", a.port(), "b", b.port()))))) {
            Route route = proxy.routes().get(0);
            List<LineClient> onA = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                onA.add(LineClient.connect(route.listenAddress()));
                assertThat(onA.get(i).exchange("ping")).isEqualTo("a");
            }

            RouteStatus switched = route.switchTo("b");
            assertThat(switched.state()).isEqualTo(GateState.OPEN);
            assertThat(switched.slots()).filteredOn(SlotStatus::active).extracting(SlotStatus::name).containsExactly("b");
            assertThat(switched.slots()).filteredOn(s -> s.name().equals("a")).extracting(SlotStatus::liveRelays).containsExactly(3);
            assertThat(Clients.ask(route.listenAddress(), "new")).isEqualTo("b");
            for (LineClient session : onA) {
                assertThat(session.exchange("ping")).as("old relays keep working").isEqualTo("a");
            }

            CompletableFuture<DrainResult> drain = route.drain(Duration.ofSeconds(30));
            assertThat(drain).isNotDone();
            DrainResult timedOut = route.drain(Duration.ofMillis(50)).get(5, TimeUnit.SECONDS);
            assertThat(timedOut.drained()).isFalse();
            assertThat(timedOut.remaining()).isEqualTo(3);
            for (LineClient session : onA) {
                session.close();
            }
            DrainResult drained = drain.get(10, TimeUnit.SECONDS);
            assertThat(drained.drained()).isTrue();
            assertThat(drained.remaining()).isZero();

            // Roll back the same way.
            try (LineClient onB = LineClient.connect(route.listenAddress())) {
                assertThat(onB.exchange("ping")).isEqualTo("b");
                route.switchTo("a");
                assertThat(Clients.ask(route.listenAddress(), "back")).isEqualTo("a");
                assertThat(onB.exchange("ping")).isEqualTo("b");
                CompletableFuture<DrainResult> back = route.drain(Duration.ofSeconds(30));
                assertThat(back).isNotDone();
                onB.close();
                assertThat(back.get(10, TimeUnit.SECONDS).drained()).isTrue();
            }
            // Every relay's sockets are closed: nothing is left for a shutdown to wait for.
            await().atMost(Duration.ofSeconds(10)).until(() -> route.inFlight() == 0);
        }
    }

    /**
     * A drain just after a resume counts the released connections still on their way to the slot
     * they were released to. The route's only event loop is kept busy meanwhile, so none of them
     * has started connecting when the drain looks; counted only once connecting, they were
     * invisible to it, and a deploy script could have stopped their backend under them.
     */
    @Test
    void aDrainJustAfterAResumeCountsReleasedConnectionsNotConnectedYet() throws Exception {
        try (Backend a = Backend.start(Backend.namedAnswer("a"));
                Backend b = Backend.start(Backend.namedAnswer("b"));
                Proxy proxy = Proxy.start(TestConfigs.config(TransportChoice.AUTO, 1, dir.resolve("state.properties"),
                        List.of(TestConfigs.route("a", Map.of("a", a.port(), "b", b.port())))))) {
            Route route = proxy.routes().get(0);
            List<LineClient> held = pauseAndHold(route, 5);

            CountDownLatch loopFree = new CountDownLatch(1);
            route.control().execute(() -> awaitUninterruptibly(loopFree)); // the releases queue behind this
            try {
                route.resume();
                route.switchTo("b");
                DrainResult justAfter = route.drain(Duration.ZERO).get(5, TimeUnit.SECONDS);
                assertThat(justAfter.drained()).isFalse();
                assertThat(justAfter.remaining()).isEqualTo(5);
            } finally {
                loopFree.countDown();
            }

            for (LineClient client : held) {
                assertThat(client.exchange("ping")).as("released to the slot active at the resume").isEqualTo("a");
            }
            for (LineClient client : held) {
                client.close();
            }
            assertThat(route.drain(Duration.ofSeconds(30)).get(10, TimeUnit.SECONDS).drained()).isTrue();
        }
    }

    /**
     * An observer that throws (the hooks come between the gate counting a connection on a slot
     * and the connect that ends the count) costs neither the connections nor the drain.
     */
    @Test
    void anObserverThatThrowsCostsNoConnectionAndNoDrain() throws Exception {
        ProxyObserver failing = new ProxyObserver() {
            @Override
            public void holdEnded(String route, long nanos) {
                throw new IllegalStateException("observer failure (expected by the test)");
            }

            @Override
            public void backendConnected(String route, String slot, long nanos) {
                throw new IllegalStateException("observer failure (expected by the test)");
            }
        };
        try (Backend a = Backend.start(Backend.namedAnswer("a"));
                Backend b = Backend.start(Backend.namedAnswer("b"));
                Proxy proxy = Proxy.start(TestConfigs.config(TransportChoice.AUTO, dir.resolve("state.properties"),
                        TestConfigs.route("a", Map.of("a", a.port(), "b", b.port()))), failing)) {
            Route route = proxy.routes().get(0);
            List<LineClient> clients = pauseAndHold(route, 3);
            route.resume();
            clients.add(LineClient.connect(route.listenAddress()));
            for (LineClient client : clients) {
                assertThat(client.exchange("ping")).isEqualTo("a");
            }
            route.switchTo("b");
            for (LineClient client : clients) {
                client.close();
            }
            assertThat(route.drain(Duration.ofSeconds(30)).get(10, TimeUnit.SECONDS).drained()).isTrue();
        }
    }

    /**
     * A resume whose release reaches event loops that have ended (a shutdown with no drain time
     * left, between the gate handing out the batch and the batch's tasks being queued): the resume
     * completes, no connection of the batch is left counted on the slot, and each is counted as
     * closed. (Before, the first rejected release threw out of the resume and left the whole
     * batch counted.) Stopping the proxy afterwards, with its loops gone, completes.
     */
    @Test
    void aResumeThatFindsTheLoopsShutDownLeavesNoConnectionCountedOnItsSlot() throws Exception {
        try (Backend a = Backend.start(Backend.namedAnswer("a"));
                Proxy proxy = Proxy.start(TestConfigs.config(TransportChoice.AUTO, 1, dir.resolve("state.properties"),
                        List.of(TestConfigs.route("a", Map.of("a", a.port())))))) {
            Route route = proxy.routes().get(0);
            List<LineClient> held = pauseAndHold(route, 3);
            // State listeners run after the gate has handed out the batch and before the batch's
            // tasks are queued: the loops end just there.
            AtomicBoolean armed = new AtomicBoolean(true);
            route.onStateChange(() -> {
                if (armed.getAndSet(false)) {
                    route.control().parent().shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
                }
            });

            RouteStatus resumed = route.resume();

            assertThat(resumed.state()).isEqualTo(GateState.OPEN);
            assertThat(resumed.held()).isZero();
            assertThat(route.status().slots()).extracting(SlotStatus::liveRelays).containsOnly(0);
            RouteTotals totals = route.status().totals();
            assertThat(totals.closed().get(CloseReason.SHUTDOWN)).isEqualTo(3);
            assertThat(totals.accepted()).as("every accepted connection relayed or closed").isEqualTo(totals.relayed() + totals.closedTotal());
            for (LineClient client : held) {
                client.close();
            }
            proxy.close(); // with its loops gone: completes rather than throwing
        }
    }

    /** Pauses {@code route} and connects {@code n} clients, returned once all are held. */
    private static List<LineClient> pauseAndHold(Route route, int n) throws Exception {
        route.pause();
        List<LineClient> held = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            held.add(LineClient.connect(route.listenAddress()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> route.status().held() == n);
        return held;
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
