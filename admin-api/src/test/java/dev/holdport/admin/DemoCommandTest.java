package dev.holdport.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.holdport.admin.support.Api;
import dev.holdport.admin.support.ChildOutput;
import dev.holdport.admin.support.HoldportCommand;
import dev.holdport.admin.support.HoldportCommand.Result;
import dev.holdport.proxy.testing.FreePort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code holdport demo}, the README's first command, as a real child process. */
class DemoCommandTest {

    @Test
    void demoAnswersFromAThenFromBAfterASwitch() throws Exception {
        int port = FreePort.pick();
        int adminPort = FreePort.pick();
        String admin = "http://127.0.0.1:" + adminPort;
        Process demo = HoldportCommand.start(Map.of(),
                List.of("demo", "--listen", "127.0.0.1:" + port, "--admin-listen", "127.0.0.1:" + adminPort));
        ChildOutput out = ChildOutput.collect(demo.getInputStream());
        ChildOutput log = ChildOutput.collect(demo.getErrorStream());
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> out.contains("Ctrl-C stops the demo") || !demo.isAlive());
            assertThat(demo.isAlive()).as(log.text()).isTrue();
            assertThat(out.text()).contains("holdport demo is running")
                    .contains("curl http://127.0.0.1:" + port + "/")
                    .contains("curl -X POST " + admin + "/pause")
                    .contains("switch --slot a --admin " + admin);

            assertThat(get(port)).isEqualTo("hello from a\n");

            Result switched = HoldportCommand.run("switch", "--slot", "b", "--admin", admin);
            assertThat(switched.exitCode()).as(switched.err()).isZero();
            assertThat(get(port)).isEqualTo("hello from b\n");

            // pause holds a request; resume answers it
            assertThat(HoldportCommand.run("pause", "--admin", admin).exitCode()).isZero();
            CompletableFuture<String> held = CompletableFuture.supplyAsync(() -> get(port));
            Api api = new Api(admin);
            await().atMost(Duration.ofSeconds(10)).until(() -> api.routeStatus("demo").get("held").asInt() == 1);
            assertThat(held).isNotDone();
            assertThat(HoldportCommand.run("resume", "--admin", admin).exitCode()).isZero();
            assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo("hello from b\n");

            demo.toHandle().destroy(); // SIGTERM (Process.destroy() would also close its output streams)
            assertThat(demo.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(demo.exitValue()).as(log.text()).isZero();
        } finally {
            demo.destroyForcibly();
        }
    }

    /** One HTTP GET through holdport, on a new connection (the demo backends close after each answer). */
    private static String get(int port) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
