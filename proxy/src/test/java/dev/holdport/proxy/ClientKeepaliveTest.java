package dev.holdport.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.holdport.config.TransportChoice;
import dev.holdport.proxy.testing.Backend;
import dev.holdport.proxy.testing.Clients;
import dev.holdport.proxy.testing.TestConfigs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.holdport.proxy.testing.NetworkNamespace;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code client-keepalive} reaches the client's socket in the kernel: once the connection is
 * quiet, the kernel's timer on holdport's side of it is the keepalive timer, due within the
 * configured idle time. The kernel says so in {@code /proc/net/tcp} and {@code tcp6} (timer 2).
 */
class ClientKeepaliveTest {

    @TempDir
    Path dir;

    static List<TransportChoice> transports() {
        return dev.holdport.proxy.testing.Transports.offered();
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aQuietClientConnectionHasTheKernelsKeepaliveTimerArmed(TransportChoice transport) throws Exception {
        try (Backend echo = Backend.start(Backend.echo())) {
            var route = TestConfigs.with(TestConfigs.route("a", Map.of("a", echo.port())), b -> b.clientKeepalive(Duration.ofSeconds(7)));
            try (Proxy proxy = Proxy.start(TestConfigs.config(transport, dir.resolve("state.properties"), route));
                    Socket client = Clients.connect(proxy.routes().get(0).listenAddress())) {
                client.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII)).readLine())
                        .as("relayed").isEqualTo("hello");
                int listenPort = proxy.routes().get(0).listenAddress().getPort();
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    Optional<String> timer = timerOf(listenPort, client.getLocalPort());
                    assertThat(timer).as("holdport's socket for the client in /proc/net/tcp*").isPresent();
                    String[] kindAndDue = timer.get().split(":");
                    assertThat(kindAndDue[0]).as("timer kind (2 = keepalive)").isEqualTo("02");
                    assertThat(Long.parseLong(kindAndDue[1], 16)).as("due in (1/100 s)").isBetween(1L, 700L);
                });
            }
        }
    }

    @Test
    void aClientThatVanishesWithoutAWordHasItsRelayEndedByTheKeepalive() throws Exception {
        Assumptions.assumeTrue(NetworkNamespace.available(),
                "needs unshare -rn (a user and network namespace) to take loopback down");
        var result = NetworkNamespace.run("", VanishedClientProbe.class, 120, "20000");
        for (var transport : transports()) {
            assertThat(result.output()).containsPattern(transport + ": the relay ended \\d+ s after the client vanished: ok");
            assertThat(result.output()).containsPattern(transport + ": the hold ended \\d+ s after the client vanished: ok");
        }
        assertThat(result.exitCode()).as(result.output()).isZero();
    }

    /** The {@code tr:tm->when} field of the socket from {@code localPort} to {@code remotePort}, if listed. */
    private static Optional<String> timerOf(int localPort, int remotePort) throws IOException {
        String local = String.format(":%04X", localPort);
        String remote = String.format(":%04X", remotePort);
        for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(file))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 5 && f[1].endsWith(local) && f[2].endsWith(remote)) {
                    return Optional.of(f[5]);
                }
            }
        }
        return Optional.empty();
    }
}
