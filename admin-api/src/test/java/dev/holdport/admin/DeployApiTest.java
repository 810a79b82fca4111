package dev.holdport.admin;

import static dev.holdport.admin.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdport.admin.support.Api;
import dev.holdport.admin.support.HoldportFixture;
import dev.holdport.admin.support.HttpGet;
import dev.holdport.admin.support.PrometheusText;
import dev.holdport.admin.support.SlotInstall;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The deploy endpoints over the real Jetty server, with supervised slots whose processes are
 * real child JVMs started by holdport from their install folders.
 */
class DeployApiTest {

    /** Child JVMs start slowly on a shared, busy machine. */
    private static final Duration DEPLOY_WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    final HoldportFixture holdport = HoldportFixture.supervisedSlots();
    /** Slots without start commands. */
    @RegisterExtension
    final HoldportFixture unsupervised = HoldportFixture.lineBackends();

    @Test
    void deployIsRefusedWhileOneRunsCancelRollsBackAndAGoodDeploySucceeds() throws Exception {
        holdport.install("a", SlotInstall.serving("a"));
        holdport.install("b", SlotInstall.neverReady());
        Api api = holdport.api();
        holdport.awaitServing("a");

        // Status shows the supervised slots' processes: a started by holdport, b not yet.
        JsonNode slots = api.routeStatus("web").path("slots");
        JsonNode processA = slots.get(0).path("process");
        assertThat(processA.path("running").asBoolean()).isTrue();
        assertThat(processA.path("pid").asLong()).isEqualTo(holdport.pid("a").orElseThrow());
        assertThat(processA.path("started_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(processA.path("uptime_seconds").asDouble()).isNotNegative();
        assertThat(processA.path("adopted").asBoolean()).isFalse();
        assertThat(processA.path("crashes").asLong()).isZero();
        assertThat(processA.path("last_exit").isNull()).isTrue();
        assertThat(processA.path("log_file").asText()).endsWith("a.log");
        JsonNode processB = slots.get(1).path("process");
        assertThat(processB.path("running").asBoolean()).isFalse();
        assertThat(processB.path("pid").isNull()).isTrue();
        assertThat(processB.path("uptime_seconds").isNull()).isTrue();

        // A version that never becomes ready keeps its deploy running until cancelled.
        HttpResponse<String> started = api.post("/routes/web/deploy", "{\"slot\": \"b\", \"timeout\": \"50s\"}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        JsonNode first = Api.json(started);
        String id = first.path("id").asText();
        assertThat(id).startsWith("web-");
        assertThat(started.headers().firstValue("Location")).hasValue("/deploys/" + id);
        assertThat(first.path("state").asText()).isEqualTo("running");
        assertThat(first.path("mode").asText()).isEqualTo("switch");
        assertThat(first.path("from").asText()).isEqualTo("a");
        assertThat(first.path("timeout_seconds").asDouble()).isEqualTo(50.0);

        JsonNode conflict = assertProblem(api.post("/routes/web/deploy", "{\"slot\": \"b\"}"), 409, "deploy-conflict");
        assertThat(conflict.path("running_deploy").asText()).isEqualTo(id);
        assertThat(conflict.path("detail").asText()).contains(id);
        assertProblem(api.post("/routes/web/rollback"), 409, "deploy-conflict");

        await().atMost(DEPLOY_WAIT).until(() -> steps(api.get("/deploys/" + id)).contains("ready b running"));

        HttpResponse<String> cancel = api.send("DELETE", "/deploys/" + id, HttpRequest.BodyPublishers.noBody());
        assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(202);
        JsonNode cancelled = awaitEnd(api, id);
        assertThat(cancelled.path("state").asText()).isEqualTo("cancelled");
        assertThat(cancelled.path("failure").path("step").asText()).isEqualTo("ready b");
        assertThat(cancelled.path("steps").findValuesAsText("rollback")).contains("true");
        assertThat(HttpGet.once(holdport.port("web"), 10_000).body()).isEqualTo("hello from a\n");
        assertProblem(api.send("DELETE", "/deploys/" + id, HttpRequest.BodyPublishers.noBody()), 409, "deploy-ended");

        // Now a working version, through the only-route endpoint, the slot in the query.
        holdport.install("b", SlotInstall.serving("b"));
        HttpResponse<String> deploy = api.post("/deploy?slot=b", "{\"mode\": \"switch\"}");
        assertThat(deploy.statusCode()).as(deploy.body()).isEqualTo(202);
        String goodId = Api.json(deploy).path("id").asText();
        JsonNode succeeded = awaitEnd(api, goodId);
        assertThat(succeeded.path("state").asText()).as(succeeded.toPrettyString()).isEqualTo("succeeded");
        assertThat(steps(succeeded)).containsExactly("start b ok", "ready b ok", "switch b ok", "drain a ok", "stop a ok");
        assertThat(HttpGet.once(holdport.port("web"), 10_000).body()).isEqualTo("hello from b\n");
        assertThat(api.routeStatus("web").path("active").asText()).isEqualTo("b");
        assertThat(holdport.pid("a")).isEmpty();

        JsonNode list = Api.json(api.get("/deploys")).path("deploys");
        assertThat(list.findValuesAsText("id")).startsWith(goodId, id);

        PrometheusText metrics = PrometheusText.parse(api.get("/metrics").body());
        assertThat(metrics.value("holdport_deploys_total", "route", "web", "result", "succeeded")).isEqualTo(1);
        assertThat(metrics.value("holdport_deploys_total", "route", "web", "result", "cancelled")).isEqualTo(1);
        assertThat(metrics.value("holdport_deploys_total", "route", "web", "result", "rolled_back")).isZero();
        assertThat(metrics.value("holdport_slot_process_crashes_total", "route", "web", "slot", "b")).isZero();
        assertThat(metrics.value("holdport_slot_process_restarts_total", "route", "web", "slot", "a")).isZero();
    }

    @Test
    void badRequestsAreRefusedWithProblemsAndChangeNothing() throws Exception {
        holdport.install("a", SlotInstall.serving("a"));
        holdport.install("b", SlotInstall.serving("b"));
        Api api = holdport.api();

        assertThat(assertProblem(api.post("/routes/web/deploy", "{\"slot\": \"b\", \"mode\": \"sideways\"}"),
                400, "invalid-request").path("detail").asText()).contains("switch, exclusive, restart");
        assertProblem(api.post("/routes/web/deploy", "{\"slot\": \"c\"}"), 400, "unknown-slot");
        assertThat(assertProblem(api.post("/routes/web/deploy", "{\"slot\": \"b\", \"command\": \"rm -rf /\"}"),
                400, "invalid-request").path("detail").asText()).contains("command");
        assertProblem(api.post("/routes/web/deploy", "{\"slot\": \"b\", \"path\": \"/tmp\"}"), 400, "invalid-request");
        assertProblem(api.post("/routes/web/deploy", "{}"), 400, "invalid-request");
        assertProblem(api.post("/routes/web/deploy", "{\"slot\": \"b\", \"timeout\": \"soon\"}"), 400, "invalid-request");
        assertProblem(api.post("/routes/web/deploy", "{\"slot\": \"b\", \"timeout\": \"0s\"}"), 400, "invalid-request");
        assertProblem(api.post("/routes/web/deploy", "{\"slot\": \"b\", \"timeout\": \"PT3000000H\"}"), 400, "invalid-request");
        assertProblem(api.post("/routes/web/deploy", "{\"slot\": 2}"), 400, "invalid-request");
        assertProblem(api.post("/routes/web/deploy", "[\"b\"]"), 400, "malformed-json");
        assertThat(assertProblem(api.post("/routes/web/deploy", "{\"slot\": \"b\", \"mode\": \"restart\"}"),
                400, "invalid-deploy").path("detail").asText()).contains("restart");
        assertProblem(api.post("/routes/web/rollback", "{\"slot\": \"b\"}"), 400, "invalid-request");
        assertProblem(api.post("/routes/nope/deploy", "{\"slot\": \"b\"}"), 404, "unknown-route");
        assertProblem(api.get("/deploys/web-19700101T000000Z-0000"), 404, "unknown-deploy");
        assertProblem(api.send("DELETE", "/deploys/nope", HttpRequest.BodyPublishers.noBody()), 404, "unknown-deploy");

        HttpResponse<String> wrongMethod = api.get("/routes/web/deploy");
        assertProblem(wrongMethod, 405, "method-not-allowed");
        assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("POST");
        HttpResponse<String> postToOne = api.post("/deploys/some-id");
        assertProblem(postToOne, 405, "method-not-allowed");
        assertThat(postToOne.headers().firstValue("Allow")).hasValue("GET, DELETE");
        assertProblem(api.post("/deploys"), 405, "method-not-allowed");

        assertThat(Api.json(api.get("/deploys")).path("deploys")).isEmpty();
        assertThat(api.routeStatus("web").path("active").asText()).isEqualTo("a");
    }

    @Test
    void deployRollbackAndCancelNeedTheToken() throws Exception {
        unsupervised.startWithToken("s3cret");
        Api anonymous = unsupervised.api();
        Api wrong = anonymous.withToken("guess");
        Api admin = anonymous.withToken("s3cret");

        assertProblem(anonymous.post("/routes/web/deploy", "{\"slot\": \"b\"}"), 401, "unauthorized");
        assertProblem(wrong.post("/deploy", "{\"slot\": \"b\"}"), 401, "unauthorized");
        assertProblem(anonymous.post("/routes/web/rollback"), 401, "unauthorized");
        assertProblem(anonymous.get("/deploys"), 401, "unauthorized");
        assertProblem(anonymous.send("DELETE", "/deploys/x", HttpRequest.BodyPublishers.noBody()), 401, "unauthorized");
        assertThat(admin.routeStatus("web").path("active").asText()).isEqualTo("a");

        // Slots without start commands: a switch deploy only moves traffic and drains.
        HttpResponse<String> deploy = admin.post("/routes/web/deploy", "{\"slot\": \"b\"}");
        assertThat(deploy.statusCode()).as(deploy.body()).isEqualTo(202);
        JsonNode done = awaitEnd(admin, Api.json(deploy).path("id").asText());
        assertThat(done.path("state").asText()).as(done.toPrettyString()).isEqualTo("succeeded");
        assertThat(admin.routeStatus("web").path("active").asText()).isEqualTo("b");
    }

    private static JsonNode awaitEnd(Api api, String id) {
        return await().atMost(DEPLOY_WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> Api.json(api.get("/deploys/" + id)), d -> !d.path("state").asText().equals("running"));
    }

    /** Each step as {@code "<step> <outcome>"}. */
    private static List<String> steps(HttpResponse<String> response) {
        return steps(Api.json(response));
    }

    private static List<String> steps(JsonNode deploy) {
        List<String> steps = new ArrayList<>();
        deploy.path("steps").forEach(s -> steps.add(s.path("step").asText() + " " + s.path("outcome").asText()));
        return steps;
    }
    /**
     * On shutdown a slot with {@code stop-on-exit} is stopped only after the proxy's drain: a
     * relay to its process that is still open when holdport stops accepting is served to the
     * end. (Before, the process was stopped first, cutting that relay.)
     */
    @Test
    void stopOnExitProcessesOutliveTheDrainOfTheirRelays() throws Exception {
        holdport.install("a", SlotInstall.serving("a"));
        holdport.install("b", SlotInstall.serving("b"));
        holdport.awaitServing("a");
        long pid = holdport.pid("a").orElseThrow();
        int port = holdport.port("web");
        try (Socket relay = new Socket("127.0.0.1", port)) {
            relay.setSoTimeout(10_000);
            await().atMost(DEPLOY_WAIT).until(() -> holdport.api().routeStatus("web").get("live_relays").asInt() == 1);

            CompletableFuture<Void> stopping = CompletableFuture.runAsync(holdport.process()::shutdown);
            await().atMost(DEPLOY_WAIT).until(() -> refusesConnections(port)); // the drain has begun
            relay.getOutputStream().write("GET / HTTP/1.1\r\nHost: web\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(relay.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);

            assertThat(answer).as("the relay opened before shutdown is served").contains("hello from a");
            stopping.get(60, TimeUnit.SECONDS);
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as("stop-on-exit stopped it afterwards").isFalse();
        }
    }

    private static boolean refusesConnections(int port) {
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            return false; // closed at once: its relay ends and does not hold the drain up
        } catch (IOException e) {
            return true;
        }
    }
}
