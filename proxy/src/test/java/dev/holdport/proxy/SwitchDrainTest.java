package dev.holdport.proxy;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.concurrent.TimeUnit;
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
        }
    }
}
