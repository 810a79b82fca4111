package dev.holdport.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.holdport.admin.support.Api;
import dev.holdport.admin.support.HoldportRun;
import dev.holdport.proxy.testing.FreePort;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * More clients than holdport's open-file limit allows, all arriving while it is paused: a real
 * holdport process under {@code ulimit -n 500}. It holds as many as its connection limit allows,
 * the rest wait in the kernel (the listen backlog, then their own SYN retries); its admin API
 * keeps answering, so the resume gets through; and every client is answered.
 */
class OpenFileLimitTest {

    private static final int FILE_LIMIT = 500;
    private static final int CLIENTS = 450;

    @TempDir
    Path dir;

    private final ExecutorService threads = Executors.newCachedThreadPool();
    private HoldportRun holdport;
    private ServerSocket backend;

    @AfterEach
    void stop() throws Exception {
        if (holdport != null) {
            holdport.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        threads.shutdownNow();
        if (backend != null) {
            backend.close();
        }
    }

    @Test
    void aFloodBeyondTheFileLimitWhilePausedIsServedAndTheAdminApiStaysUp() throws Exception {
        startEchoBackend();
        int port = FreePort.pick();
        Api api = startHoldport(port);
        Matcher said = Pattern.compile("(?:room for only|at most) (\\d+) client connections").matcher(holdport.log());
        assertThat(said.find()).as(holdport.log()).isTrue();
        int limit = Integer.parseInt(said.group(1));
        assertThat(limit).as("(500 - 256 - the accept burst) / 2").isBetween(1, 122);
        assertThat(api.post("/routes/web/pause").statusCode()).isEqualTo(200);

        List<Future<String>> answers = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            String line = "client " + i;
            answers.add(threads.submit(() -> ask(port, line)));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> api.routeStatus("web").path("held").asInt() >= limit);
        assertThat(api.get("/status").statusCode()).as("the admin API still accepts connections").isEqualTo(200);

        assertThat(api.post("/routes/web/resume").statusCode()).isEqualTo(200);
        for (int i = 0; i < CLIENTS; i++) {
            assertThat(answers.get(i).get(90, TimeUnit.SECONDS)).isEqualTo("client " + i);
        }
        assertThat(holdport.log())
                .doesNotContain("Too many open files")
                .doesNotContain("cannot connect");
    }

    @Test
    void idleAdminConnectionsTakeAtMostTheirCapOfFilesAndTheDataPlaneKeepsRelaying() throws Exception {
        int relays = 40; // below the connection limit this file limit allows (checked above: up to 122)
        startGatheringBackend(relays);
        int port = FreePort.pick();
        Api api = startHoldport(port);
        long before = openFiles(holdport.process());

        // A client that opens admin connections and never uses or closes them: 100, so that the
        // ones past the cap still connect (into the API's listen backlog of 50), all at once
        // for an uncapped API.
        List<SocketChannel> flood = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                flood.add(SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), api.port())));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> openFiles(holdport.process()) >= before + 56);
            // At the cap (64, and Jetty may be taking one more) it accepts no more: the count
            // stays there until the short idle timeout at the cap closes the idle ones.
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                    .until(() -> openFiles(holdport.process()) - before <= 64 + 16);

            // Meanwhile every relay still gets its two files: the backend answers only once all are open.
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < relays; i++) {
                String line = "client " + i;
                answers.add(threads.submit(() -> ask(port, line)));
            }
            for (int i = 0; i < relays; i++) {
                assertThat(answers.get(i).get(60, TimeUnit.SECONDS)).isEqualTo("client " + i);
            }
        } finally {
            for (SocketChannel channel : flood) {
                channel.close();
            }
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/status").statusCode() == 200);
        assertThat(holdport.log())
                .doesNotContain("Too many open files")
                .doesNotContain("cannot connect");
    }

    /** A real holdport under {@code ulimit -n 500}, route {@code web} on {@code port} to the backend; returns its admin API. */
    private Api startHoldport(int port) throws IOException {
        int adminPort = FreePort.pick();
        Path config = dir.resolve("holdport.conf");
        Files.writeString(config, """
                holdport {
                  event-loop-threads = 2
                  state-file = "%s"
                  admin.listen = "127.0.0.1:%d"
                  routes.web {
                    listen = "127.0.0.1:%d"
                    backlog = 32
                    slots.a.address = "127.0.0.1:%d"
                  }
                }
                """.formatted(dir.resolve("state.properties"), adminPort, port, backend.getLocalPort()));
        holdport = HoldportRun.startWithFileLimit(FILE_LIMIT, config.toString());
        Api api = new Api("http://127.0.0.1:" + adminPort);
        holdport.awaitReady(api, Duration.ofSeconds(60));
        return api;
    }

    private static long openFiles(Process process) throws IOException {
        try (var files = Files.list(Path.of("/proc", String.valueOf(process.pid()), "fd"))) {
            return files.count();
        }
    }

    /** An echo backend that answers nobody until {@code count} connections are open, so that all relays are open at once. */
    private void startGatheringBackend(int count) throws IOException {
        backend = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        threads.execute(() -> {
            List<Socket> gathered = new ArrayList<>();
            try {
                while (gathered.size() < count) {
                    gathered.add(backend.accept());
                }
            } catch (IOException e) {
                return; // closed
            }
            gathered.forEach(socket -> threads.execute(() -> echoLine(socket)));
        });
    }

    /** One line there and back on a new connection; connect() itself waits while holdport's backlog is full. */
    private static String ask(int port, String line) throws IOException {
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(120_000);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 120_000);
            OutputStream out = socket.getOutputStream();
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
        }
    }

    private void startEchoBackend() throws IOException {
        backend = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        threads.execute(() -> {
            while (!backend.isClosed()) {
                try {
                    Socket socket = backend.accept();
                    threads.execute(() -> echoLine(socket));
                } catch (IOException | RejectedExecutionException e) {
                    return; // closed
                }
            }
        });
    }

    private static void echoLine(Socket socket) {
        try (socket) {
            String line = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (line != null) {
                socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // the client went away
        }
    }
}
