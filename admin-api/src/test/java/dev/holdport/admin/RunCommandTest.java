package dev.holdport.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.holdport.admin.support.Api;
import dev.holdport.admin.support.ChildOutput;
import dev.holdport.admin.support.HoldportCommand;
import dev.holdport.admin.support.HoldportCommand.Result;
import dev.holdport.admin.support.RequestInFlight;
import dev.holdport.admin.support.SlotInstall;
import dev.holdport.proxy.testing.Backend;
import dev.holdport.proxy.testing.FreePort;
import dev.holdport.proxy.testing.LineClient;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code holdport run} and {@code holdport check-config} as real child processes. */
class RunCommandTest {

    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private Path writeConfig(String body) throws Exception {
        Path file = dir.resolve("holdport.conf");
        Files.writeString(file, "holdport {\n" + body + "\n}\n");
        return file;
    }

    @Test
    void runRelaysAndExits0OnSigterm() throws Exception {
        try (Backend a = Backend.start(Backend.namedEcho("a"))) {
            int port = FreePort.pick();
            int adminPort = FreePort.pick();
            Path config = writeConfig("""
                    admin.listen = "127.0.0.1:%d"
                    shutdown.drain-timeout = 1s
                    routes.web {
                      listen = "127.0.0.1:%d"
                      active = a
                      slots.a.address = "%s"
                    }
                    """.formatted(adminPort, port, a.address()));
            Process holdport = HoldportCommand.start(Map.of(), List.of("run", "--config", config.toString()));
            ChildOutput log = ChildOutput.collect(holdport.getErrorStream());
            ChildOutput out = ChildOutput.collect(holdport.getInputStream());
            try {
                Api api = new Api("http://127.0.0.1:" + adminPort);
                await().atMost(START).ignoreExceptions().until(() -> api.get("/readyz").statusCode() == 200);
                await().atMost(WAIT).until(() -> log.contains("ready: 1 route(s) on transport"));

                LineClient client = LineClient.connect(port, Duration.ofSeconds(10));
                assertThat(client.exchange("through run")).isEqualTo("a: through run");

                // SIGTERM with a relay still open: it gets the drain timeout, then holdport exits 0.
                // SIGTERM, through the handle: Process.destroy() would also close our end of its output
                holdport.toHandle().destroy();
                assertThat(holdport.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(holdport.exitValue()).as(log.text()).isZero();
                assertThat(log.awaitEnd()).contains("SIGTERM received").contains("stopped")
                        .doesNotContain("Exception");
                assertThat(client.readLine()).isNull(); // closed when the drain timeout ran out
                client.close();
                assertThat(out.text()).isEmpty();
            } finally {
                holdport.destroyForcibly();
            }
        }
    }

    @Test
    void sigtermAnswersRequestsInFlightRefusesNewOnesAndStillExitsWhenOneNeverEnds() throws Exception {
        try (Backend a = Backend.start(Backend.namedEcho("a"))) {
            int adminPort = FreePort.pick();
            Path config = writeConfig("""
                    admin.listen = "127.0.0.1:%d"
                    shutdown.drain-timeout = 1s
                    routes.web {
                      listen = "127.0.0.1:0"
                      active = a
                      slots.a.address = "%s"
                    }
                    """.formatted(adminPort, a.address()));
            Process holdport = HoldportCommand.start(Map.of(), List.of("run", "--config", config.toString()));
            ChildOutput log = ChildOutput.collect(holdport.getErrorStream());
            try {
                Api api = new Api("http://127.0.0.1:" + adminPort);
                await().atMost(START).ignoreExceptions().until(() -> api.get("/readyz").statusCode() == 200);
                // Two requests the handler has begun, whose bodies are still to come.
                RequestInFlight answered = RequestInFlight.start(adminPort, "POST", "/routes/web/pause", "{}", WAIT);
                RequestInFlight neverEnds = RequestInFlight.start(adminPort, "POST", "/routes/web/resume", "{}", WAIT);

                holdport.toHandle().destroy(); // SIGTERM
                await().atMost(WAIT).until(() -> log.contains("admin API: stopping"));

                // A new request meanwhile is refused, saying why.
                HttpResponse<String> late = api.get("/status");
                assertThat(late.statusCode()).isEqualTo(503);
                assertThat(Api.json(late).path("type").asText()).isEqualTo("urn:holdport:problem:shutting-down");
                // The one in flight is answered in full. The data plane has stopped by now, so the
                // pause it asks for is refused, saying why, rather than answered as if made.
                String answer = answered.finish();
                assertThat(answer).startsWith("HTTP/1.1 503 ")
                        .contains("route web is shutting down: its state can no longer change").endsWith("}");

                // The other never sends its body: the stop gives up on it after its grace.
                assertThat(holdport.waitFor(30, TimeUnit.SECONDS)).as(log.text()).isTrue();
                assertThat(holdport.exitValue()).as(log.text()).isZero();
                assertThat(log.awaitEnd()).contains("1 request(s) still unanswered").contains("stopped");
                neverEnds.close();
                answered.close();
            } finally {
                holdport.destroyForcibly();
            }
        }
    }

    @Test
    void runRefusesAnInvalidConfigWithExit2AndNoStackTrace() throws Exception {
        Path config = writeConfig("""
                routes.web {
                  listen = "127.0.0.1:99999"
                  active = c
                  slots.a.address = "127.0.0.1:9001x"
                }
                """);

        Result result = HoldportCommand.run("run", "--config", config.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains(config.toString())
                .contains("holdport.routes.web.listen")
                .contains("holdport.routes.web.slots.a.address")
                .contains("holdport.routes.web.active")
                .doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void runRefusesAPublicAdminAddressWithoutAToken() throws Exception {
        try (Backend a = Backend.start(Backend.namedEcho("a"))) {
            Path config = writeConfig("""
                    admin.listen = "0.0.0.0:%d"
                    routes.web {
                      listen = "127.0.0.1:0"
                      active = a
                      slots.a.address = "%s"
                    }
                    """.formatted(FreePort.pick(), a.address()));

            Result result = HoldportCommand.run("run", "--config", config.toString());

            assertThat(result.exitCode()).isEqualTo(2);
            assertThat(result.err()).contains("holdport.admin.listen").contains("holdport.admin.token")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void checkConfigRefusesAPublicAdminAddressWithoutATokenAsRunDoes() throws Exception {
        Path config = writeConfig("""
                admin.listen = "0.0.0.0:9900"
                routes.web {
                  listen = "127.0.0.1:8080"
                  active = a
                  slots.a.address = "127.0.0.1:9001"
                }
                """);

        Result result = HoldportCommand.run("check-config", "--config", config.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains(config.toString()).contains("holdport.admin.listen")
                .contains("holdport.admin.token").doesNotContain("\tat ");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void slotCommandsDoNotSeeTheAdminToken() throws Exception {
        Path install = dir.resolve("a");
        Path envFile = dir.resolve("a-env.txt");
        SlotInstall.install(install, "env > '" + envFile + ".tmp' && mv '" + envFile + ".tmp' '" + envFile + "'\n"
                + SlotInstall.serving("v1"));
        int port = FreePort.pick();
        int adminPort = FreePort.pick();
        Path config = writeConfig("""
                admin { listen = "127.0.0.1:%d", token = ${?HOLDPORT_ADMIN_TOKEN} }
                shutdown.drain-timeout = 1s
                routes.web {
                  listen = "127.0.0.1:%d"
                  active = a
                  slots.a { address = "127.0.0.1:%d", path = "%s", start = ["./run.sh"], stop-on-exit = true,
                            ready { type = exec, command = [sh, -c, "env > ready-env.txt"] } }
                }
                """.formatted(adminPort, port, FreePort.pick(), install));
        Process holdport = HoldportCommand.start(Map.of("HOLDPORT_ADMIN_TOKEN", "s3cret-admin-token"),
                List.of("run", "--config", config.toString()));
        ChildOutput log = ChildOutput.collect(holdport.getErrorStream());
        ChildOutput.collect(holdport.getInputStream());
        try {
            Api api = new Api("http://127.0.0.1:" + adminPort, java.util.Optional.of("s3cret-admin-token"));
            await().atMost(START).ignoreExceptions().until(() -> api.get("/readyz").statusCode() == 200);
            await().atMost(START).until(() -> Files.exists(envFile) && Files.exists(install.resolve("ready-env.txt")));

            assertThat(Files.readString(envFile)).as("the slot's process").contains("HOLDPORT_SLOT=a")
                    .doesNotContain("s3cret-admin-token").doesNotContain("HOLDPORT_ADMIN_TOKEN");
            assertThat(Files.readString(install.resolve("ready-env.txt"))).as("its readiness check")
                    .contains("HOLDPORT_SLOT=a").doesNotContain("s3cret-admin-token");
            assertThat(api.get("/status").statusCode()).as("the token is holdport's: %s", log.text()).isEqualTo(200);
        } finally {
            holdport.toHandle().destroy();
            if (!holdport.waitFor(30, TimeUnit.SECONDS)) {
                holdport.destroyForcibly();
            }
        }
    }

    @Test
    void runExits1NamingTheRouteWhenItsPortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path config = writeConfig("""
                    admin.listen = "127.0.0.1:0"
                    routes.web {
                      listen = "127.0.0.1:%d"
                      active = a
                      slots.a.address = "127.0.0.1:9"
                    }
                    """.formatted(taken.getLocalPort()));

            Result result = HoldportCommand.run("run", "--config", config.toString());

            assertThat(result.exitCode()).isEqualTo(1);
            assertThat(result.err()).contains("holdport: cannot start the data plane: route web: cannot listen on 127.0.0.1:"
                            + taken.getLocalPort() + ": ")
                    .contains("Address already in use").doesNotContain("\tat ");
        }
    }

    @Test
    void runExits1NamingTheAdminApiNotTheRoutesWhenTheAdminPortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path config = writeConfig("""
                    admin.listen = "127.0.0.1:%d"
                    routes.web {
                      listen = "127.0.0.1:0"
                      active = a
                      slots.a.address = "127.0.0.1:9"
                    }
                    """.formatted(taken.getLocalPort()));

            Result result = HoldportCommand.run("run", "--config", config.toString());

            assertThat(result.exitCode()).isEqualTo(1);
            // Which part failed, where, and the system's reason, not just Jetty's "Failed to bind".
            assertThat(result.err()).contains("holdport: cannot start the admin API: cannot listen on 127.0.0.1:"
                            + taken.getLocalPort())
                    .contains("Address already in use")
                    .doesNotContain("cannot start the routes").doesNotContain("\tat ");
            // The routes had started: they are stopped again before the exit.
            assertThat(result.err()).contains("data plane stopped");
        }
    }

    @Test
    void checkConfigPrintsTheEffectiveConfig() throws Exception {
        Path config = writeConfig("""
                admin.token = "hidden"
                routes.web {
                  listen = "127.0.0.1:8080"
                  active = b
                  slots.a { address = "127.0.0.1:9001", path = "/opt/app/a" }
                  slots.b { address = "127.0.0.1:9002", path = "/opt/app/b" }
                }
                """);

        Result result = HoldportCommand.run("check-config", "--config", config.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("holdport {").contains("/opt/app/b").contains("drain-timeout")
                .doesNotContain("hidden");
    }

    @Test
    void checkConfigOnABadFileExits2NamingThePath() throws Exception {
        Path config = writeConfig("""
                routes.web {
                  listen = "127.0.0.1:8080"
                  active = a
                  slot.a.address = "127.0.0.1:9001"
                }
                """);

        Result result = HoldportCommand.run("check-config", "--config", config.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains(config.toString()).contains("holdport.routes.web.slot");
        assertThat(result.out()).isEmpty();

        Result missing = HoldportCommand.run("check-config", "--config", dir.resolve("nope.conf").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.conf").contains("no such file");
    }
}
