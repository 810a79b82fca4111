package dev.holdport.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.holdport.config.TransportChoice;
import dev.holdport.proxy.testing.Backend;
import dev.holdport.proxy.testing.Clients;
import dev.holdport.proxy.testing.TestConfigs;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The relay's correctness at every edge of TCP, on every transport offered. */
class RelayTest {

    @TempDir
    Path dir;

    static List<TransportChoice> transports() {
        return dev.holdport.proxy.testing.Transports.offered();
    }

    private Proxy start(TransportChoice transport, int backendPort) {
        return Proxy.start(TestConfigs.config(transport, dir.resolve("state.properties"),
                TestConfigs.route("a", Map.of("a", backendPort))));
    }

    private static InetSocketAddress addressOf(Proxy proxy) {
        return proxy.routes().get(0).listenAddress();
    }

    @ParameterizedTest
    @MethodSource("transports")
    void twoHundredClientsGetTheirOwnEightMebibytesBack(TransportChoice transport) throws Exception {
        int clients = 200;
        int size = 8 << 20;
        try (Backend echo = Backend.start(Backend.echo()); Proxy proxy = start(transport, echo.port())) {
            InetSocketAddress address = addressOf(proxy);
            ExecutorService pool = Executors.newFixedThreadPool(2 * clients);
            try {
                List<Future<long[]>> results = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    long seed = i;
                    results.add(pool.submit(() -> sendAndReceive(pool, address, seed, size)));
                }
                for (Future<long[]> result : results) {
                    long[] sentAndReceived = result.get(5, TimeUnit.MINUTES);
                    assertThat(sentAndReceived[1]).as("checksum of the bytes received").isEqualTo(sentAndReceived[0]);
                    assertThat(sentAndReceived[2]).as("bytes received").isEqualTo(size);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(proxy.status().get(0).totals().relayed()).isEqualTo(clients);
        }
    }

    /** Sends {@code size} seeded random bytes, half-closes, reads everything back: {sent crc, received crc, received bytes}. */
    private static long[] sendAndReceive(ExecutorService pool, InetSocketAddress address, long seed, int size) throws Exception {
        try (Socket socket = Clients.connect(address)) {
            Future<Long> sent = pool.submit(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                CRC32 crc = new CRC32();
                byte[] chunk = new byte[32 * 1024];
                OutputStream out = socket.getOutputStream();
                for (int left = size; left > 0; left -= chunk.length) {
                    random.nextBytes(chunk);
                    int n = Math.min(left, chunk.length);
                    crc.update(chunk, 0, n);
                    out.write(chunk, 0, n);
                }
                socket.shutdownOutput();
                return crc.getValue();
            });
            CRC32 crc = new CRC32();
            long received = 0;
            byte[] buf = new byte[64 * 1024];
            InputStream in = socket.getInputStream();
            int n;
            while ((n = in.read(buf)) > 0) {
                crc.update(buf, 0, n);
                received += n;
            }
            return new long[] {sent.get(), crc.getValue(), received};
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void clientHalfCloseStillGetsTheWholeAnswer(TransportChoice transport) throws Exception {
        assertAnswerAfterClientHalfClose(transport, 0);
    }

    @ParameterizedTest
    @MethodSource("transports")
    void clientHalfCloseStillGetsTheWholeAnswerFromASlowBackend(TransportChoice transport) throws Exception {
        assertAnswerAfterClientHalfClose(transport, 500);
    }

    private void assertAnswerAfterClientHalfClose(TransportChoice transport, long backendThinkMillis) throws Exception {
        int answerSize = 50 << 20;
        Backend.Behaviour answerAfterEof = socket -> {
            byte[] request = socket.getInputStream().readAllBytes(); // until the client's FIN
            if (backendThinkMillis > 0) {
                // The backend's own latency, part of the scenario: answer only once the delay has passed.
                java.util.concurrent.CompletableFuture.runAsync(() -> { },
                        java.util.concurrent.CompletableFuture.delayedExecutor(backendThinkMillis, TimeUnit.MILLISECONDS)).get();
            }
            OutputStream out = socket.getOutputStream();
            byte[] chunk = new byte[64 * 1024];
            java.util.Arrays.fill(chunk, (byte) request.length);
            for (int left = answerSize; left > 0; left -= chunk.length) {
                out.write(chunk, 0, Math.min(left, chunk.length));
            }
            socket.shutdownOutput();
        };
        try (Backend backend = Backend.start(answerAfterEof); Proxy proxy = start(transport, backend.port());
                Socket socket = Clients.connect(addressOf(proxy))) {
            socket.getOutputStream().write("GET everything\n".getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            long received = 0;
            boolean allMarked = true;
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = socket.getInputStream().read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    allMarked &= buf[i] == 15;
                }
                received += n;
            }
            assertThat(received).isEqualTo(answerSize);
            assertThat(allMarked).as("every byte carries the request's length: the backend saw all of it").isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void backendHalfCloseLetsTheClientKeepSending(TransportChoice transport) throws Exception {
        java.util.concurrent.CompletableFuture<Long> backendGot = new java.util.concurrent.CompletableFuture<>();
        Backend.Behaviour greetThenListen = socket -> {
            socket.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput(); // FIN to the client; the backend keeps reading
            backendGot.complete((long) socket.getInputStream().readAllBytes().length);
        };
        try (Backend backend = Backend.start(greetThenListen); Proxy proxy = start(transport, backend.port());
                Socket socket = Clients.connect(addressOf(proxy))) {
            byte[] greeting = socket.getInputStream().readAllBytes(); // ends at the backend's FIN
            assertThat(new String(greeting, StandardCharsets.US_ASCII)).isEqualTo("hello\n");
            byte[] upload = new byte[4 << 20];
            socket.getOutputStream().write(upload);
            socket.shutdownOutput();
            assertThat(backendGot.get(30, TimeUnit.SECONDS)).isEqualTo(upload.length);
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void backendResetReachesTheClientAsAReset(TransportChoice transport) throws Exception {
        Backend.Behaviour resetMidStream = socket -> {
            socket.getInputStream().read(new byte[1024]);
            socket.getOutputStream().write(new byte[100_000]);
            socket.getOutputStream().flush();
            socket.setSoLinger(true, 0);
            socket.close(); // RST
        };
        try (Backend backend = Backend.start(resetMidStream); Proxy proxy = start(transport, backend.port());
                Socket socket = Clients.connect(addressOf(proxy))) {
            socket.getOutputStream().write("start\n".getBytes(StandardCharsets.US_ASCII));
            assertThatThrownBy(() -> {
                byte[] buf = new byte[64 * 1024];
                while (socket.getInputStream().read(buf) >= 0) {
                    // keep reading until the reset arrives (a clean EOF would end the loop and fail the test)
                }
            }).isInstanceOf(SocketException.class).hasMessageContaining("reset");
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void clientResetReachesTheBackendAsAReset(TransportChoice transport) throws Exception {
        java.util.concurrent.CompletableFuture<Throwable> backendSaw = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(1);
        Backend.Behaviour readForever = socket -> {
            try {
                socket.getInputStream().read(new byte[16]);
                reading.countDown();
                byte[] buf = new byte[4096];
                while (socket.getInputStream().read(buf) >= 0) {
                    // drain until reset or EOF
                }
                backendSaw.complete(null);
            } catch (Exception e) {
                backendSaw.complete(e);
            }
        };
        try (Backend backend = Backend.start(readForever); Proxy proxy = start(transport, backend.port())) {
            Socket socket = Clients.connect(addressOf(proxy));
            socket.getOutputStream().write("x".repeat(16).getBytes(StandardCharsets.US_ASCII));
            assertThat(reading.await(10, TimeUnit.SECONDS)).isTrue();
            socket.setSoLinger(true, 0);
            socket.close();
            assertThat(backendSaw.get(10, TimeUnit.SECONDS))
                    .as("the backend sees a reset, not a clean EOF")
                    .isInstanceOf(SocketException.class);
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aBackendThatStartsTwoSecondsLateStillServesTheClient(TransportChoice transport) throws Exception {
        int port = dev.holdport.proxy.testing.FreePort.pick();
        var scheduler = Executors.newSingleThreadScheduledExecutor();
        try (Proxy proxy = start(transport, port)) {
            // The backend process is still starting: it listens only 2 s after the client arrives.
            var late = scheduler.schedule(() -> Backend.start(port, Backend.namedAnswer("late")), 2, TimeUnit.SECONDS);
            try {
                assertThat(Clients.ask(addressOf(proxy), "hello")).isEqualTo("late");
            } finally {
                late.get().close();
            }
            assertThat(proxy.status().get(0).totals().failed()).isZero();
        } finally {
            scheduler.shutdownNow();
        }
    }

    /**
     * A client that sends nothing and half-closes at once, to a server that speaks first, still
     * gets the greeting when its FIN arrives while holdport is still connecting (here: retrying a
     * backend that is not listening yet). It used to be closed as gone.
     */
    @ParameterizedTest
    @MethodSource("transports")
    void aClientThatHalfClosesWhileHoldportConnectsStillGetsTheServersGreeting(TransportChoice transport) throws Exception {
        int port = dev.holdport.proxy.testing.FreePort.pick();
        try (Proxy proxy = start(transport, port); Socket client = Clients.connect(addressOf(proxy))) {
            client.shutdownOutput();
            await().atMost(Duration.ofSeconds(10)).until(() -> proxy.status().get(0).totals().accepted() == 1);
            try (Backend greeter = Backend.start(port, socket -> {
                socket.getOutputStream().write("hello, listener\n".getBytes(StandardCharsets.US_ASCII));
                socket.shutdownOutput();
                socket.getInputStream().read(); // until the client's FIN, passed on
            })) {
                String greeting = new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertThat(greeting).isEqualTo("hello, listener\n");
            }
            RouteTotals totals = proxy.status().get(0).totals();
            assertThat(totals.relayed()).isEqualTo(1);
            assertThat(totals.closed().get(CloseReason.CLIENT_GONE)).isZero();
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aBackendThatNeverStartsCostsTheClientItsConnectionAfterTheRetryWindow(TransportChoice transport) throws Exception {
        int port = dev.holdport.proxy.testing.FreePort.pick();
        var route = TestConfigs.with(TestConfigs.route("a", Map.of("a", port)),
                b -> b.backend(java.time.Duration.ofSeconds(1), java.time.Duration.ofMillis(300)));
        try (Proxy proxy = Proxy.start(TestConfigs.config(transport, dir.resolve("s.properties"), route));
                Socket socket = Clients.connect(addressOf(proxy))) {
            assertThat(socket.getInputStream().read()).as("closed, no answer").isEqualTo(-1);
            RouteTotals totals = proxy.status().get(0).totals();
            assertThat(totals.closed().get(CloseReason.BACKEND_UNAVAILABLE)).isEqualTo(1);
            assertThat(totals.relayed()).isZero();
        }
    }
}
