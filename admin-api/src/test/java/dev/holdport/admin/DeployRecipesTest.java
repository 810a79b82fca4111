package dev.holdport.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.holdport.admin.support.Api;
import dev.holdport.admin.support.ChildOutput;
import dev.holdport.admin.support.ClientLoop;
import dev.holdport.admin.support.HoldportRun;
import dev.holdport.proxy.testing.FreePort;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's deploy recipes, run as they are ({@code src/test/resources/recipes/*.sh}) with
 * bash and curl, against holdport run as a real process and backends that are real processes,
 * while a client keeps connecting: no client may see an error.
 */
class DeployRecipesTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String BACKEND = "\"$JAVA\" -XX:TieredStopAtLevel=1 -cp \"$TEST_CLASSPATH\" "
            + "dev.holdport.admin.support.HelloBackend";

    @TempDir
    Path work;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        try (var pidFiles = Files.list(work)) {
            for (Path pidFile : pidFiles.filter(p -> p.toString().endsWith(".pid")).toList()) {
                ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).ifPresent(ProcessHandle::destroy);
            }
        }
        for (Process process : processes) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void restartInPlace() throws Exception {
        int backendPort = FreePort.pick();
        int port = FreePort.pick();
        String admin = startHoldport(port, "slots.a.address = \"127.0.0.1:" + backendPort + "\"");
        String startBackend = BACKEND + " 127.0.0.1:" + backendPort + " $VERSION \"$WORK/backend.pid\" "
                + "> \"$WORK/backend-$VERSION.log\" 2>&1 &";
        bash(Map.of("VERSION", "v1"), startBackend);
        await().atMost(WAIT).until(() -> Files.exists(work.resolve("backend.pid")));

        try (ClientLoop clients = ClientLoop.start(port)) {
            await().atMost(WAIT).until(() -> clients.answers().contains("hello from v1"));

            Map<String, String> env = new HashMap<>(Map.of(
                    "HOLDPORT_ADMIN_URL", admin,
                    "VERSION", "v2",
                    "STOP_BACKEND", stopCommand("backend"),
                    "START_BACKEND", startBackend));
            Recipe recipe = recipe("restart-in-place.sh", env);

            assertThat(recipe.exitCode()).as(recipe.output()).isZero();
            assertThat(recipe.output()).contains("paused").contains("old backend stopped")
                    .contains("new backend started").contains("resumed");
            int afterRestart = clients.answers().size();
            await().atMost(WAIT).until(() -> clients.answersSince(afterRestart).contains("hello from v2"));
            clients.close();

            assertThat(clients.failures()).isEmpty();
            List<String> answers = List.copyOf(clients.answers());
            int firstV2 = answers.indexOf("hello from v2");
            assertThat(answers.subList(0, firstV2)).containsOnly("hello from v1");
            assertThat(answers.subList(firstV2, answers.size())).containsOnly("hello from v2");
        }
        assertThat(new Api(admin).routeStatus("web").get("state").asText()).isEqualTo("open");
    }

    @Test
    void abRollForwardAndRollBack() throws Exception {
        int portA = FreePort.pick();
        int portB = FreePort.pick();
        int port = FreePort.pick();
        String admin = startHoldport(port, """
                slots.a { address = "127.0.0.1:%d", path = "/opt/app/a" }
                slots.b { address = "127.0.0.1:%d", path = "/opt/app/b" }
                """.formatted(portA, portB));
        String slotPort = "port=$([ \"$SLOT\" = a ] && echo " + portA + " || echo " + portB + "); ";
        Map<String, String> env = new HashMap<>(Map.of(
                "HOLDPORT_ADMIN_URL", admin,
                "ROUTE", "web",
                "START_SLOT", slotPort + BACKEND + " 127.0.0.1:$port $VERSION \"$WORK/$SLOT.pid\" "
                        + "> \"$WORK/$SLOT-$VERSION.log\" 2>&1 &",
                "CHECK_SLOT", slotPort + "curl --silent --fail \"http://127.0.0.1:$port/\" > /dev/null",
                "STOP_SLOT", stopCommand("$OLD_SLOT"),
                "DRAIN_TIMEOUT", "30s"));
        env.put("VERSION", "v1");
        bash(Map.of("SLOT", "a", "VERSION", "v1"), env.get("START_SLOT"));
        await().atMost(WAIT).until(() -> Files.exists(work.resolve("a.pid")));
        Api api = new Api(admin);

        try (ClientLoop clients = ClientLoop.start(port);
                Socket slowClient = new Socket("127.0.0.1", port)) {
            slowClient.setSoTimeout(30_000);
            await().atMost(WAIT).until(() -> clients.answers().contains("hello from v1"));
            // A request in progress on slot a while the switch happens: the drain waits for it.
            OutputStream slow = slowClient.getOutputStream();
            slow.write("GET / HTTP/1.0\r\n".getBytes(StandardCharsets.US_ASCII));
            slow.flush();

            env.put("VERSION", "v2");
            Process forward = startRecipe("ab-switch.sh", env, "b");
            ChildOutput forwardOutput = ChildOutput.collect(forward.getInputStream());
            await().atMost(WAIT).until(() -> api.routeStatus("web").get("active").asText().equals("b"));
            assertThat(forwardOutput.text()).doesNotContain("drained");
            slow.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            slow.flush();
            assertThat(readAll(slowClient.getInputStream())).endsWith("hello from v1\n");
            slowClient.close(); // the relay ends when both sides have closed

            assertThat(forward.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(forward.exitValue()).as(forwardOutput.text()).isZero();
            assertThat(forwardOutput.awaitEnd()).contains("slot b started").contains("slot b is healthy")
                    .contains("switched route web from slot a to slot b").contains("slot a drained")
                    .contains("slot a stopped");
            assertThat(work.resolve("a.pid")).doesNotExist();
            int afterForward = clients.answers().size();
            await().atMost(WAIT).until(() -> clients.answersSince(afterForward).contains("hello from v2"));
            assertThat(clients.answersSince(afterForward)).containsOnly("hello from v2");

            env.put("VERSION", "v1");
            Recipe back = recipe("ab-switch.sh", env, "a");
            assertThat(back.exitCode()).as(back.output()).isZero();
            assertThat(back.output()).contains("switched route web from slot b to slot a").contains("slot b stopped");
            int afterBack = clients.answers().size();
            await().atMost(WAIT).until(() -> clients.answersSince(afterBack).contains("hello from v1"));
            assertThat(clients.answersSince(afterBack)).containsOnly("hello from v1");

            Recipe again = recipe("ab-switch.sh", env, "a");
            assertThat(again.exitCode()).isZero();
            assertThat(again.output()).contains("already uses slot a");

            clients.close();
            assertThat(clients.failures()).isEmpty();
            assertThat(clients.answers()).containsOnly("hello from v1", "hello from v2");
        }
    }

    /** Starts {@code holdport run} with one route {@code web}; returns the admin URL once ready. */
    private String startHoldport(int port, String slots) throws Exception {
        int adminPort = FreePort.pick();
        Path config = work.resolve("holdport.conf");
        Files.writeString(config, """
                holdport {
                  admin.listen = "127.0.0.1:%d"
                  shutdown.drain-timeout = 1s
                  routes.web {
                    listen = "127.0.0.1:%d"
                    active = a
                    %s
                    backend.retry-refused-for = 30s
                  }
                }
                """.formatted(adminPort, port, slots));
        HoldportRun holdport = HoldportRun.start(config.toString());
        processes.add(holdport.process());
        holdport.awaitReady(new Api("http://127.0.0.1:" + adminPort), WAIT);
        return "http://127.0.0.1:" + adminPort;
    }

    /** Stops a backend started with a pid file and waits until it has exited (it removes the file last). */
    private static String stopCommand(String name) {
        return "pid_file=\"$WORK/" + name + ".pid\"; kill \"$(cat \"$pid_file\")\"; "
                + "for _ in $(seq 1 300); do [ -e \"$pid_file\" ] || exit 0; sleep 0.1; done; "
                + "echo \"backend did not stop\" >&2; exit 1";
    }

    private record Recipe(int exitCode, String output) {}

    private Recipe recipe(String script, Map<String, String> env, String... args) throws Exception {
        Process process = startRecipe(script, env, args);
        ChildOutput output = ChildOutput.collect(process.getInputStream());
        assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as(script + " ends").isTrue();
        return new Recipe(process.exitValue(), output.awaitEnd());
    }

    private Process startRecipe(String script, Map<String, String> env, String... args) throws Exception {
        Path path = Path.of(getClass().getResource("/recipes/" + script).toURI());
        List<String> command = new ArrayList<>(List.of("bash", path.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        environment(builder, env);
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    private void bash(Map<String, String> env, String command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true);
        environment(builder, env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }

    private void environment(ProcessBuilder builder, Map<String, String> env) {
        builder.environment().keySet().removeIf(name -> name.startsWith("HOLDPORT_"));
        builder.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        builder.environment().put("TEST_CLASSPATH", System.getProperty("java.class.path"));
        builder.environment().put("WORK", work.toString());
        builder.environment().putAll(env);
    }

    private static String readAll(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
}
