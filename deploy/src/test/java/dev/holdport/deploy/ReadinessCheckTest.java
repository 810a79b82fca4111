package dev.holdport.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpServer;
import dev.holdport.config.HostPort;
import dev.holdport.config.ReadySettings;
import dev.holdport.config.ReadyType;
import dev.holdport.config.SlotConfig;
import dev.holdport.proxy.testing.FreePort;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tcp, http and exec readiness; successes in a row; the timeout; and failing at once when the process exits. */
class ReadinessCheckTest {

    private static final CompletableFuture<ProcessExit> RUNNING = new CompletableFuture<>();

    @TempDir
    Path dir;

    private static SlotConfig slot(int port, String path, ReadySettings ready) {
        return new SlotConfig("b", new HostPort("127.0.0.1", port), path, List.of("./run.sh"), List.of(),
                Duration.ofSeconds(5), ready, false);
    }

    private static ReadySettings ready(ReadyType type, String url, List<String> command, int successes, Duration timeout) {
        return new ReadySettings(type, Optional.ofNullable(url), command, Duration.ofMillis(20), timeout, successes);
    }

    @Test
    void tcpPassesOnceSomethingListensOnTheSlotsAddress() throws Exception {
        int port = FreePort.pick();
        ReadinessCheck check = new ReadinessCheck("web", slot(port, "", ReadySettings.defaults()));

        assertThat(check.checkOnce(Duration.ofSeconds(1))).startsWith("tcp 127.0.0.1:" + port + ": ");
        ServerSocket listener = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        try {
            assertThat(check.checkOnce(Duration.ofSeconds(1))).isNull();
            assertThat(check.await(RUNNING, Duration.ofSeconds(10), null)).isEqualTo(1);
        } finally {
            listener.close();
        }
    }

    @Test
    void httpNeedsA2xxAndCountsSuccessesInARow() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        // 503 for the first three requests, then 200; a failure in between resets the count.
        server.createContext("/healthz", exchange -> {
            int n = requests.incrementAndGet();
            exchange.sendResponseHeaders(n <= 3 || n == 5 ? 503 : 200, -1);
            exchange.close();
        });
        server.start();
        try {
            int port = server.getAddress().getPort();
            ReadinessCheck check = new ReadinessCheck("web",
                    slot(port, "", ready(ReadyType.HTTP, "/healthz", List.of(), 3, Duration.ofSeconds(30))));

            assertThat(check.url()).isEqualTo("http://127.0.0.1:" + port + "/healthz");
            int checks = check.await(RUNNING, Duration.ofSeconds(30), null);

            assertThat(checks).as("3 failures, 1 success, 1 failure, then 3 successes").isEqualTo(8);
            assertThat(new ReadinessCheck("web", slot(port, "", ready(ReadyType.HTTP, "http://127.0.0.1:" + port + "/nope",
                    List.of(), 1, Duration.ofSeconds(1)))).checkOnce(Duration.ofSeconds(1)))
                    .isEqualTo("GET http://127.0.0.1:" + port + "/nope answered 404");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void execRunsTheCommandInTheInstallPathWithTheSlotsEnvironment() throws Exception {
        ReadinessCheck check = new ReadinessCheck("web", slot(9555, dir.toString(), ready(ReadyType.EXEC, null,
                List.of("sh", "-c", "test -f ready.flag && test \"$HOLDPORT_PORT\" = 9555"), 1, Duration.ofSeconds(5))));

        assertThat(check.checkOnce(Duration.ofSeconds(5))).isEqualTo("sh -c test -f ready.flag && test \"$HOLDPORT_PORT\" = 9555"
                + " exited with status 1");
        Files.createFile(dir.resolve("ready.flag"));
        assertThat(check.checkOnce(Duration.ofSeconds(5))).isNull();
    }

    /** A check that hangs is killed with what it started (a curl with no timeout, say), not only the script. */
    @Test
    void aCheckThatRunsTooLongIsKilledWithWhatItStarted() throws Exception {
        Path childPid = dir.resolve("child.pid");
        ReadinessCheck check = new ReadinessCheck("web", slot(9555, dir.toString(), ready(ReadyType.EXEC, null,
                List.of("sh", "-c", "sleep 600 & echo $! > child.pid; wait"), 1, Duration.ofSeconds(5))));

        assertThat(check.checkOnce(Duration.ofSeconds(1))).contains("still running after 1s");

        long child = Long.parseLong(Files.readString(childPid).strip());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !Signals.runs(child));
    }


    @Test
    void failsWhenTheTimeoutPassesNamingTheLastFailure() {
        int port = FreePort.pick();
        ReadinessCheck check = new ReadinessCheck("web", slot(port, "", ReadySettings.defaults()));

        NotReadyException e = catchThrowableOfType(NotReadyException.class,
                () -> check.await(RUNNING, Duration.ofMillis(300), null));

        assertThat(e.getMessage()).startsWith("not ready within 300ms (").contains("last: tcp 127.0.0.1:" + port);
    }

    @Test
    void failsAtOnceWhenTheProcessExitsInsteadOfWaitingForTheTimeout() {
        ReadinessCheck check = new ReadinessCheck("web", slot(FreePort.pick(), "", ReadySettings.defaults()));
        CompletableFuture<ProcessExit> exit = new CompletableFuture<>();
        CompletableFuture.runAsync(() -> exit.complete(new ProcessExit(4711, OptionalInt.of(1), false)),
                CompletableFuture.delayedExecutor(200, java.util.concurrent.TimeUnit.MILLISECONDS));

        // The timeout is ten minutes: returning at all proves the exit ended the wait.
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThatThrownBy(
                () -> check.await(exit, Duration.ofMinutes(10), null))
                .isInstanceOf(NotReadyException.class)
                .hasMessage("process 4711 exited with status 1 before it was ready"));
    }
}
