package dev.holdport.proxy;

import dev.holdport.config.TransportChoice;
import dev.holdport.proxy.testing.TestConfigs;
import dev.holdport.proxy.testing.Transports;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Runs inside a network namespace whose ephemeral port range is the single port {@code slotPort}
 * ({@link SelfConnectTest}), so that every connect the proxy makes to that slot, where nothing
 * listens, leaves from the slot's own port: TCP's simultaneous open connects the socket to itself.
 * The proxy must treat that as a refused connect, not relay the client to its own echo.
 *
 * <p>Arguments: slot port, first fixed port for listeners and clients (outside the range). Prints
 * one line per transport and exits 0 when every one behaved.
 */
public final class SelfConnectProbe {

    private SelfConnectProbe() {}

    public static void main(String[] args) throws Exception {
        int slotPort = Integer.parseInt(args[0]);
        int fixedPort = Integer.parseInt(args[1]);
        InetAddress loopback = InetAddress.getLoopbackAddress();

        // The premise: a plain connect to the slot port here really connects to itself.
        try (Socket plain = new Socket(loopback, slotPort)) {
            boolean self = plain.getLocalPort() == slotPort && plain.getPort() == slotPort;
            plain.setSoLinger(true, 0); // a reset leaves no TIME_WAIT on the range's only port
            System.out.println("premise: a plain connect to " + slotPort + (self ? " connects to itself" : " does not connect to itself"));
            if (!self) {
                System.exit(3);
            }
        }

        boolean allGood = true;
        Path dir = Files.createTempDirectory("self-connect");
        for (TransportChoice transport : Transports.offered()) {
            int listenPort = fixedPort++;
            int clientPort = fixedPort++;
            var route = TestConfigs.with(TestConfigs.route("a", Map.of("a", slotPort)),
                    b -> b.listenPort(listenPort).backend(Duration.ofSeconds(1), Duration.ofMillis(500)));
            try (Proxy proxy = Proxy.start(TestConfigs.config(transport, dir.resolve(transport + ".properties"), route));
                    Socket client = new Socket()) {
                // The client leaves from a fixed port: the range's only port must stay free for the proxy.
                client.bind(new InetSocketAddress(loopback, clientPort));
                client.connect(new InetSocketAddress(loopback, listenPort), 5_000);
                client.setSoTimeout(5_000);
                client.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                String answer = readAll(client.getInputStream());
                RouteTotals totals = proxy.status().get(0).totals();
                boolean good = answer.isEmpty() && totals.relayed() == 0
                        && totals.closed().getOrDefault(CloseReason.BACKEND_UNAVAILABLE, 0L) == 1;
                System.out.printf("%s: client read \"%s\", relayed %d, closed as backend_unavailable %d: %s%n",
                        transport, answer.strip(), totals.relayed(), totals.closed().getOrDefault(CloseReason.BACKEND_UNAVAILABLE, 0L),
                        good ? "ok" : "WRONG");
                allGood &= good;
            }
        }
        System.exit(allGood ? 0 : 1);
    }

    /** What the client reads until the end of the stream; a relay to itself echoes and never ends. */
    private static String readAll(InputStream in) throws java.io.IOException {
        var read = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[256];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                read.write(buf, 0, n);
            }
        } catch (java.net.SocketTimeoutException e) {
            read.writeBytes(" (and no end of stream)".getBytes(StandardCharsets.US_ASCII));
        }
        return read.toString(StandardCharsets.US_ASCII);
    }
}
