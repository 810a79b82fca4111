package dev.holdport.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.holdport.admin.support.Api;
import dev.holdport.admin.support.ClientLoop;
import dev.holdport.admin.support.HoldportCommand;
import dev.holdport.admin.support.HoldportRun;
import dev.holdport.admin.support.HttpGet;
import dev.holdport.proxy.testing.FreePort;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code holdport run --take-over PID}: a new holdport process replaces a running one while a
 * client keeps connecting, both as real child processes.
 */
class TakeOverTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();
    private Answering backend;
    private Answering otherBackend;
    private int port;
    private int adminPort;
    private Path config;

    @BeforeEach
    void backendsAndConfig() throws Exception {
        backend = new Answering("hello\n");
        otherBackend = new Answering("from b\n");
        port = FreePort.pick();
        adminPort = FreePort.pick();
        config = dir.resolve("holdport.conf");
        writeConfig("2s");
    }

    /** A route with slots a (answering "hello") and b (answering "from b"), a active. */
    private void writeConfig(String drainTimeout) throws Exception {
        Files.writeString(config, """
                holdport {
                  admin.listen = "127.0.0.1:%d"
                  shutdown.drain-timeout = %s
                  routes.web {
                    listen = "127.0.0.1:%d"
                    active = a
                    slots.a.address = "127.0.0.1:%d"
                    slots.b.address = "127.0.0.1:%d"
                  }
                }
                """.formatted(adminPort, drainTimeout, port, backend.port(), otherBackend.port()));
    }

    /**
     * A loopback HTTP backend answering every request with {@code text}, one thread a connection.
     * Not the JDK's HttpServer: that closes a new connection which sends nothing after its idle
     * interval, and the tests keep an idle relay open to hold a predecessor in its drain.
     */
    private static final class Answering implements AutoCloseable {
        private final ServerSocket server;
        private final ExecutorService threads = Executors.newCachedThreadPool();

        Answering(String text) throws IOException {
            server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
            byte[] answer = ("HTTP/1.0 200 OK\r\nContent-Length: " + text.length() + "\r\nConnection: close\r\n\r\n" + text)
                    .getBytes(StandardCharsets.US_ASCII);
            threads.execute(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        threads.execute(() -> answer(socket, answer));
                    } catch (IOException | RejectedExecutionException e) {
                        return; // closed
                    }
                }
            });
        }

        private static void answer(Socket socket, byte[] answer) {
            try (socket) {
                InputStream in = socket.getInputStream();
                int matched = 0; // of "\r\n\r\n", the end of the request's head
                for (int b; matched < 4 && (b = in.read()) >= 0; ) {
                    matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : (b == '\r' ? 1 : 0);
                }
                if (matched == 4) {
                    socket.getOutputStream().write(answer);
                }
            } catch (IOException e) {
                // the client went away
            }
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
            threads.shutdownNow();
        }
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (Process process : processes) {
            process.toHandle().destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        backend.close();
        otherBackend.close();
    }

    private HoldportRun run(String... extraArgs) {
        HoldportRun holdport = HoldportRun.start(config.toString(), extraArgs);
        processes.add(holdport.process());
        return holdport;
    }

    private Api api() {
        return new Api("http://127.0.0.1:" + adminPort);
    }

    private void awaitReady(HoldportRun holdport) {
        holdport.awaitReady(api(), WAIT);
    }

    private static boolean migratesQueuedConnections() {
        try {
            return Files.readString(Predecessor.MIGRATE_REQ).trim().equals("1");
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void aNewHoldportTakesOverWhileClientsKeepConnecting() throws Exception {
        HoldportRun old = run();
        awaitReady(old);
        // Several clients at once, so that connections are queued when the predecessor closes.
        List<ClientLoop> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            clients.add(ClientLoop.start(port));
        }
        try {
            await().atMost(WAIT).until(() -> answers(clients) >= 40);

            HoldportRun successor = run("--take-over", Long.toString(old.process().pid()));

            // The predecessor is asked to stop and exits cleanly; the successor then takes the admin port.
            assertThat(old.process().waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as(old.log()).isTrue();
            assertThat(old.process().exitValue()).as(old.log()).isZero();
            assertThat(old.awaitEnd()).contains("SIGTERM received").contains("stopped");
            awaitReady(successor);
            assertThat(successor.log())
                    .contains("take-over: listening beside holdport pid " + old.process().pid())
                    .contains("take-over: holdport pid " + old.process().pid() + " has exited");

            // Clients go on being served by the successor alone.
            int afterTakeOver = answers(clients);
            await().atMost(WAIT).until(() -> answers(clients) >= afterTakeOver + 40);
        } finally {
            for (ClientLoop loop : clients) {
                loop.close();
            }
        }

        List<String> failures = clients.stream().flatMap(loop -> loop.failures().stream()).toList();
        assertThat(clients).allSatisfy(loop -> assertThat(loop.answers()).containsOnly("hello"));
        if (migratesQueuedConnections()) {
            assertThat(failures).isEmpty();
        } else {
            // Without net.ipv4.tcp_migrate_req the kernel resets what waits in the predecessor's
            // accept queue as it closes; there is always a listener, so none is ever refused.
            assertThat(failures).noneMatch(failure -> failure.contains("Connection refused"));
        }
        assertThat(api().routeStatus("web").get("state").asText()).isEqualTo("open");
    }

    @Test
    void aSwitchAskedOfTheDrainingPredecessorIsRefusedNotLost() throws Exception {
        writeConfig("60s");
        HoldportRun old = run();
        awaitReady(old);
        // An idle relay keeps the predecessor draining until the test lets it go.
        try (Socket idle = new Socket("127.0.0.1", port)) {
            await().atMost(WAIT).until(() -> api().routeStatus("web").get("live_relays").asInt() == 1);

            HoldportRun successor = run("--take-over", Long.toString(old.process().pid()));
            await().atMost(WAIT).until(() -> old.log().contains("waiting up to"));
            // The predecessor still answers its API while it drains, but its routes no longer
            // change: a switch that the successor would never see is refused, not answered 200.
            HttpResponse<String> refused = api().post("/routes/web/switch?slot=b");
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(Api.json(refused).get("detail").asText())
                    .isEqualTo("route web is shutting down: its state can no longer change");
            idle.close();

            assertThat(old.process().waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as(old.log()).isTrue();
            awaitReady(successor);
        }
        assertThat(api().routeStatus("web").get("active").asText()).isEqualTo("a");
        assertThat(HttpGet.once(port, 10_000).body()).isEqualTo("hello\n");
    }

    @Test
    void aSignalWhileWaitingForThePredecessorStopsTheSuccessorGracefully() throws Exception {
        writeConfig("60s");
        HoldportRun old = run();
        awaitReady(old);
        HoldportRun successor;
        // An idle relay keeps the predecessor draining, so the successor is still waiting for it.
        try (Socket idle = new Socket("127.0.0.1", port)) {
            await().atMost(WAIT).until(() -> api().routeStatus("web").get("live_relays").asInt() == 1);
            successor = run("--take-over", Long.toString(old.process().pid()));
            await().atMost(WAIT).until(() -> successor.log().contains("asking it to stop"));

            successor.process().toHandle().destroy(); // SIGTERM

            assertThat(successor.process().waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as(successor.log()).isTrue();
            assertThat(successor.process().exitValue()).as(successor.log()).isZero();
            assertThat(successor.awaitEnd())
                    .contains("SIGTERM received while starting")
                    .contains("giving up the take-over and stopping")
                    .contains("data plane stopped")
                    .doesNotContain("Exception")
                    .doesNotContain("cannot start")
                    .doesNotContain("SIGKILL");
            // The predecessor is left to finish its own stop: neither killed nor waited on.
            assertThat(old.process().isAlive()).isTrue();
        }
        assertThat(old.process().waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as(old.log()).isTrue();
        assertThat(old.process().exitValue()).isZero();
    }

    private static int answers(List<ClientLoop> clients) {
        return clients.stream().mapToInt(loop -> loop.answers().size()).sum();
    }

    @Test
    void takingOverIsRefusedWhileARouteIsPausedAndTheRunningHoldportGoesOn() throws Exception {
        HoldportRun old = run();
        awaitReady(old);
        assertThat(api().post("/routes/web/pause", "{}").statusCode()).isEqualTo(200);

        HoldportRun successor = run("--take-over", Long.toString(old.process().pid()));

        assertThat(successor.process().waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(successor.process().exitValue()).isEqualTo(1);
        assertThat(successor.awaitEnd())
                .contains("cannot take over while route(s) web are paused")
                .doesNotContain("Exception");
        assertThat(old.process().isAlive()).isTrue();
        assertThat(api().post("/routes/web/resume", "{}").statusCode()).isEqualTo(200);
        try (ClientLoop clients = ClientLoop.start(port)) {
            await().atMost(WAIT).until(() -> clients.answers().size() >= 3);
        }
    }

    @Test
    void aPidThatIsNotAHoldportIsRefusedAndLeftAlone() throws Exception {
        Process other = new ProcessBuilder("sleep", "120").start();
        processes.add(other);

        HoldportCommand.Result result = HoldportCommand.run("run", "--config", config.toString(),
                "--take-over", Long.toString(other.pid()));

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("cannot start the take-over: process " + other.pid() + " is not a holdport")
                .doesNotContain("Exception");
        assertThat(other.isAlive()).isTrue();
    }
}
