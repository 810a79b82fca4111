package dev.holdport.proxy;

import dev.holdport.config.TransportChoice;
import dev.holdport.proxy.testing.Backend;
import dev.holdport.proxy.testing.TestConfigs;
import dev.holdport.proxy.testing.Transports;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Runs inside a network namespace of its own ({@link ClientKeepaliveTest}): relays one exchange,
 * then takes {@code lo} down, so that the client is gone without a FIN or a reset, as after a
 * power loss. With {@code client-keepalive = 1s} holdport's probes go unanswered and the relay
 * must end by itself within seconds; without keepalive it would stay open for good. Then the same
 * for a client held by a pause, which must be counted abandoned.
 *
 * <p>Argument: the first fixed port to use. Prints one line per transport and exits 0 when every
 * relay ended.
 */
public final class VanishedClientProbe {

    private static final long GIVE_UP_SECONDS = 30;

    private VanishedClientProbe() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        Path dir = Files.createTempDirectory("vanished-client");
        boolean allGood = true;
        for (TransportChoice transport : Transports.offered()) {
            int listenPort = port++;
            try (Backend echo = Backend.start(port++, Backend.echo())) {
                var route = TestConfigs.with(TestConfigs.route("a", Map.of("a", echo.port())),
                        b -> b.listenPort(listenPort).clientKeepalive(Duration.ofSeconds(1)));
                try (Proxy proxy = Proxy.start(TestConfigs.config(transport, dir.resolve(transport + ".properties"), route));
                        Socket client = new Socket()) {
                    client.connect(new InetSocketAddress(loopback, listenPort), 5_000);
                    client.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                    String answer = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                    if (!"hello".equals(answer)) {
                        throw new IllegalStateException(transport + ": no relay to begin with (read " + answer + ")");
                    }
                    loopback(false);
                    allGood &= report(transport, "the relay", () -> liveRelays(proxy) == 0);
                    loopback(true);

                    // A client held by a pause that vanishes is noticed the same way, and counted abandoned.
                    proxy.routes().get(0).pause();
                    try (Socket held = new Socket()) {
                        held.connect(new InetSocketAddress(loopback, listenPort), 5_000);
                        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> proxy.status().get(0).held() == 1);
                        loopback(false);
                        allGood &= report(transport, "the hold", () -> proxy.status().get(0).held() == 0
                                && proxy.status().get(0).totals().abandoned() == 1);
                    }
                } finally {
                    loopback(true);
                }
            }
        }
        System.exit(allGood ? 0 : 1);
    }

    /** Waits for {@code ended} after the client vanished and prints how it went; true when it ended. */
    private static boolean report(TransportChoice transport, String what, java.util.concurrent.Callable<Boolean> ended) {
        long start = System.nanoTime();
        boolean ok;
        try {
            Awaitility.await().atMost(Duration.ofSeconds(GIVE_UP_SECONDS)).until(ended);
            ok = true;
        } catch (ConditionTimeoutException e) {
            ok = false;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%s: %s%n", transport, ok
                ? String.format("%s ended %.0f s after the client vanished: ok", what, seconds)
                : what + " is still open " + GIVE_UP_SECONDS + " s after the client vanished: WRONG");
        return ok;
    }

    private static int liveRelays(Proxy proxy) {
        return proxy.status().get(0).slots().stream().mapToInt(SlotStatus::liveRelays).sum();
    }

    private static void loopback(boolean up) throws Exception {
        Process ip = new ProcessBuilder("ip", "link", "set", "lo", up ? "up" : "down").inheritIO().start();
        if (!ip.waitFor(10, TimeUnit.SECONDS) || ip.exitValue() != 0) {
            throw new IllegalStateException("ip link set lo " + (up ? "up" : "down") + " failed");
        }
    }
}
