package dev.holdport.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.holdport.config.RouteConfig;
import dev.holdport.config.TransportChoice;
import dev.holdport.proxy.testing.Backend;
import dev.holdport.proxy.testing.Clients;
import dev.holdport.proxy.testing.TestConfigs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Clients that send a request and half-close while held: on io_uring holdport reads each to its
 * end (Netty does, after a FIN), so together they may take only the early-data budget; past it
 * the client that asks for more is closed, and nobody else. On NIO each is read once and waits in
 * the kernel. Either way every client kept is served whole, and the budget comes back in full.
 */
class EarlyDataBudgetTest {

    private static final int CLIENTS = 30;
    private static final int REQUEST_BYTES = 48 * 1024;
    private static final long BUDGET = 256 * 1024;

    @TempDir
    Path dir;

    static List<TransportChoice> transports() {
        return dev.holdport.proxy.testing.Transports.offered();
    }

    @ParameterizedTest
    @MethodSource("transports")
    void halfClosedHeldClientsTakeNoMoreThanTheBudgetAndTheRestAreServedWhole(TransportChoice transport) throws Exception {
        // The backend answers with the number of bytes it got before the client's FIN.
        try (Backend counter = Backend.start(socket -> {
            long got = socket.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            socket.getOutputStream().write((got + "\n").getBytes(StandardCharsets.US_ASCII));
        })) {
            Proxy proxy;
            System.setProperty(EarlyDataBudget.PROPERTY, Long.toString(BUDGET));
            try {
                RouteConfig config = TestConfigs.route("a", Map.of("a", counter.port()));
                proxy = Proxy.start(TestConfigs.config(transport, 1, dir.resolve("state.properties"), List.of(config)));
            } finally {
                System.clearProperty(EarlyDataBudget.PROPERTY);
            }
            try (proxy) {
                Route route = proxy.routes().get(0);
                assertThat(route.earlyData.limit()).isEqualTo(BUDGET);
                route.pause();
                byte[] request = new byte[REQUEST_BYTES];
                new Random(7).nextBytes(request);
                List<Socket> clients = new ArrayList<>();
                try {
                    for (int i = 0; i < CLIENTS; i++) {
                        Socket client = Clients.connect(route.listenAddress());
                        clients.add(client);
                        client.getOutputStream().write(request);
                        client.shutdownOutput();
                    }
                    // A client that sends a line and waits, as most do: it is not the one to pay.
                    Socket polite = Clients.connect(route.listenAddress());
                    clients.add(polite);
                    polite.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
                    if (transport == TransportChoice.IO_URING) {
                        await().until(() -> limited(route) > 0); // read to the ends until the budget ran out
                    } else {
                        await().until(() -> route.status().held() == CLIENTS + 1);
                    }

                    route.resume();

                    int served = 0;
                    for (Socket client : clients.subList(0, CLIENTS)) {
                        String answer = answer(client);
                        if (answer != null) {
                            assertThat(answer).as("bytes the backend got").isEqualTo(Integer.toString(REQUEST_BYTES));
                            served++;
                        }
                    }
                    polite.shutdownOutput();
                    assertThat(answer(polite)).isEqualTo("6");
                    long limited = limited(route);
                    assertThat(served + limited).as("each client served whole or closed for the budget").isEqualTo(CLIENTS);
                    if (transport == TransportChoice.IO_URING) {
                        assertThat(limited).as("%d clients' requests cannot all fit in %d bytes", CLIENTS, BUDGET).isPositive();
                    } else {
                        assertThat(limited).as("NIO reads a held client once").isZero();
                    }
                    await().until(() -> route.earlyData.left() == BUDGET);
                } finally {
                    for (Socket client : clients) {
                        client.close();
                    }
                }
            }
        }
    }

    private static long limited(Route route) {
        return route.status().totals().closed().get(CloseReason.EARLY_DATA_LIMIT);
    }

    /** The backend's answer, or null when holdport closed the connection instead. */
    private static String answer(Socket client) throws IOException {
        client.setSoTimeout(10_000);
        try {
            return new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        } catch (java.net.SocketException e) {
            return null; // reset: closed with bytes unread
        }
    }
}
