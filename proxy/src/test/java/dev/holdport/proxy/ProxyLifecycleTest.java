package dev.holdport.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.holdport.config.TransportChoice;
import dev.holdport.proxy.testing.Backend;
import dev.holdport.proxy.testing.Clients;
import dev.holdport.proxy.testing.TestConfigs;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several routes in one process, the process-wide API, and a graceful shutdown. */
class ProxyLifecycleTest {

    @TempDir
    Path dir;

    @Test
    void everyRouteHasItsOwnListenerAndGate() throws Exception {
        try (Backend web = Backend.start(Backend.namedAnswer("web-a"));
                Backend rpcA = Backend.start(Backend.namedAnswer("rpc-a"));
                Backend rpcB = Backend.start(Backend.namedAnswer("rpc-b"));
                Proxy proxy = Proxy.start(TestConfigs.config(TransportChoice.AUTO, dir.resolve("s"), List.of(
                        TestConfigs.route("web", "a", Map.of("a", web.port())),
                        TestConfigs.route("rpc", "a", Map.of("a", rpcA.port(), "b", rpcB.port())))))) {
            Route webRoute = proxy.route("web").orElseThrow();
            Route rpcRoute = proxy.route("rpc").orElseThrow();
            assertThat(webRoute.listenAddress()).isNotEqualTo(rpcRoute.listenAddress());
            assertThat(proxy.listenersBound()).isTrue();

            rpcRoute.switchTo("b");
            assertThat(Clients.ask(webRoute.listenAddress(), "x")).isEqualTo("web-a");
            assertThat(Clients.ask(rpcRoute.listenAddress(), "x")).isEqualTo("rpc-b");

            assertThatThrownBy(() -> proxy.switchTo("b")).as("web has no slot b: nothing changes")
                    .isInstanceOf(UnknownSlotException.class);
            assertThat(proxy.pause()).extracting(RouteStatus::state).containsOnly(GateState.PAUSED);
            assertThat(proxy.resume()).extracting(RouteStatus::state).containsOnly(GateState.OPEN);
        }
    }

    @Test
    void anIpv6ListenAddressIsReportedInBracketsAsTheConfigWritesIt() throws Exception {
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("::1"))) {
            // IPv6 loopback is there
        } catch (java.io.IOException e) {
            org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here: " + e);
        }
        dev.holdport.config.HoldportConfig config = dev.holdport.config.ConfigLoader.parse("""
                holdport {
                  state-file = "%s"
                  routes.web { listen = "[::1]:0", active = a, slots.a.address = "127.0.0.1:9" }
                }
                """.formatted(dir.resolve("state.properties")));
        try (Proxy proxy = Proxy.start(config)) {
            String listen = proxy.routes().get(0).status().listen();
            assertThat(listen).matches("\\[0:0:0:0:0:0:0:1\\]:\\d+");
            assertThat(dev.holdport.config.HostPort.parse(listen).port()).isPositive();
        }
    }

    @Test
    void aListenAddressInUseIsNamedWithItsRoute() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            var route = new dev.holdport.config.RouteConfig("web", new dev.holdport.config.HostPort("127.0.0.1", taken.getLocalPort()),
                    1024, Duration.ZERO, TestConfigs.route("a", Map.of("a", 9)).slots(), "a",
                    TestConfigs.route("a", Map.of("a", 9)).backend(), TestConfigs.route("a", Map.of("a", 9)).hold(),
                    Duration.ZERO, 0, Duration.ofSeconds(1));
            assertThatThrownBy(() -> Proxy.start(TestConfigs.config(TransportChoice.AUTO, dir.resolve("s"), List.of(route))))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("route web: cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    void aSecondProxyOnTheSamePortIsRefusedDespiteSharedListeners() throws Exception {
        // Each event loop has its own listening socket on the route's port (SO_REUSEPORT); that
        // must not let a second holdport started by mistake share the port and take connections.
        try (Backend first = Backend.start(Backend.namedAnswer("first"));
                Proxy running = Proxy.start(TestConfigs.config(TransportChoice.AUTO, dir.resolve("s1"),
                        List.of(TestConfigs.route("web", "a", Map.of("a", first.port())))))) {
            int port = running.routes().get(0).listenAddress().getPort();
            var again = TestConfigs.with(TestConfigs.route("web", "a", Map.of("a", first.port())), b -> b.listenPort(port));
            assertThatThrownBy(() -> Proxy.start(TestConfigs.config(TransportChoice.AUTO, dir.resolve("s2"), List.of(again))))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("route web: cannot listen on 127.0.0.1:" + port)
                    .hasMessageContaining("in use");
            for (int i = 0; i < 20; i++) {
                assertThat(Clients.ask(running.routes().get(0).listenAddress(), "x")).isEqualTo("first");
            }
        }
    }

    @Test
    void aSuccessorFollowsTheSwitchAndPauseItsPredecessorMadeAfterItStarted() throws Exception {
        try (Backend a = Backend.start(Backend.namedAnswer("a"));
                Backend b = Backend.start(Backend.namedAnswer("b"))) {
            Path state = dir.resolve("state.properties");
            var route = TestConfigs.route("web", "a", Map.of("a", a.port(), "b", b.port()));
            Proxy predecessor = Proxy.start(TestConfigs.config(TransportChoice.AUTO, state, List.of(route)));
            int port = predecessor.routes().get(0).listenAddress().getPort();
            var samePort = TestConfigs.with(route, r -> r.listenPort(port));
            try (Proxy successor = Proxy.start(TestConfigs.config(TransportChoice.AUTO, state, List.of(samePort)),
                    ProxyObserver.NONE, true)) {
                Route successorRoute = successor.routes().get(0);
                assertThat(successorRoute.status().activeSlot()).isEqualTo("a");
                // Changed on the predecessor after the successor read the state file.
                predecessor.route("web").orElseThrow().switchTo("b");
                predecessor.route("web").orElseThrow().pause();
                predecessor.close();

                successor.followStateLeftByPredecessor();

                assertThat(successorRoute.status().activeSlot()).isEqualTo("b");
                assertThat(successorRoute.status().state()).isEqualTo(GateState.PAUSED);
                successorRoute.resume();
                assertThat(Clients.ask(successorRoute.listenAddress(), "x")).isEqualTo("b");
            } finally {
                predecessor.close();
            }
        }
    }

    @Test
    void aRouteShuttingDownRefusesChangesInsteadOfIgnoringThem() throws Exception {
        try (Backend a = Backend.start(Backend.namedAnswer("a"));
                Backend b = Backend.start(Backend.namedAnswer("b"))) {
            Proxy proxy = Proxy.start(TestConfigs.config(TransportChoice.AUTO, dir.resolve("s"),
                    List.of(TestConfigs.route("web", "a", Map.of("a", a.port(), "b", b.port())))));
            Route route = proxy.routes().get(0);
            proxy.close();

            assertThatThrownBy(() -> route.switchTo("b")).isInstanceOf(RouteShutDownException.class)
                    .hasMessage("route web is shutting down: its state can no longer change");
            assertThatThrownBy(route::pause).isInstanceOf(RouteShutDownException.class);
            assertThatThrownBy(route::resume).isInstanceOf(RouteShutDownException.class);
            assertThat(route.status().activeSlot()).isEqualTo("a");
            assertThat(route.status().state()).isEqualTo(GateState.OPEN);
        }
    }

    @Test
    void shutdownLetsLiveRelaysFinishAndClosesHeldConnectionsWithAReason() throws Exception {
        CompletableFuture<Void> answerNow = new CompletableFuture<>();
        Backend slowAnswer = Backend.start(socket -> {
            new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            answerNow.get(30, TimeUnit.SECONDS);
            socket.getOutputStream().write("late but whole\n".getBytes(StandardCharsets.US_ASCII));
        });
        Proxy proxy = Proxy.start(TestConfigs.config(TransportChoice.AUTO, dir.resolve("s"),
                List.of(TestConfigs.route("web", "a", Map.of("a", slowAnswer.port())))));
        Route route = proxy.routes().get(0);
        try (slowAnswer; Socket live = Clients.connect(route.listenAddress())) {
            live.getOutputStream().write("question\n".getBytes(StandardCharsets.US_ASCII));
            await().until(() -> route.status().liveRelays() == 1);
            route.pause();
            Socket held = Clients.connect(route.listenAddress());
            await().until(() -> route.status().held() == 1);

            CompletableFuture<Void> shutdown = CompletableFuture.runAsync(() -> proxy.shutdown(Duration.ofSeconds(20)));
            assertThat(held.getInputStream().read()).as("held connection closed at shutdown").isEqualTo(-1);
            assertThat(shutdown).as("waits for the live relay").isNotDone();
            answerNow.complete(null);
            String answer = new BufferedReader(new InputStreamReader(live.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            assertThat(answer).isEqualTo("late but whole");
            live.close();
            shutdown.get(20, TimeUnit.SECONDS);
            RouteTotals totals = route.status().totals();
            assertThat(totals.closed().get(CloseReason.SHUTDOWN)).isEqualTo(1);
            assertThat(totals.accepted()).isEqualTo(totals.relayed() + totals.closedTotal());
            held.close();
        }
    }
}
