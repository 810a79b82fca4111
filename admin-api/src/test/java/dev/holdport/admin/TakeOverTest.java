package dev.holdport.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.holdport.admin.support.Api;
import dev.holdport.admin.support.ClientLoop;
import dev.holdport.admin.support.HoldportCommand;
import dev.holdport.admin.support.HoldportRun;
import dev.holdport.proxy.testing.FreePort;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
    private HttpServer backend;
    private int port;
    private int adminPort;
    private Path config;

    @BeforeEach
    void backendAndConfig() throws Exception {
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        backend.createContext("/", exchange -> {
            byte[] body = "hello\n".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Connection", "close");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        backend.start();
        port = FreePort.pick();
        adminPort = FreePort.pick();
        config = dir.resolve("holdport.conf");
        Files.writeString(config, """
                holdport {
                  admin.listen = "127.0.0.1:%d"
                  shutdown.drain-timeout = 2s
                  routes.web {
                    listen = "127.0.0.1:%d"
                    active = a
                    slots.a.address = "127.0.0.1:%d"
                  }
                }
                """.formatted(adminPort, port, backend.getAddress().getPort()));
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (Process process : processes) {
            process.toHandle().destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        backend.stop(0);
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
