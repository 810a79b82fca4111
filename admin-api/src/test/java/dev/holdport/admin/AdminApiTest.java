package dev.holdport.admin;

import static dev.holdport.admin.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdport.admin.support.Api;
import dev.holdport.admin.support.HoldportFixture;
import dev.holdport.proxy.testing.LineClient;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every endpoint of the admin API over real HTTP against a real holdport. */
class AdminApiTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final HoldportFixture holdport = HoldportFixture.lineBackends();

    @Test
    void statusDescribesEveryRouteWithItsSlotsAndCounters() {
        HttpResponse<String> response = holdport.api().get("/status");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode routes = Api.json(response).get("routes");
        assertThat(routes).hasSize(1);
        JsonNode web = routes.get(0);
        assertThat(web.get("route").asText()).isEqualTo("web");
        assertThat(web.get("listen").asText()).endsWith(":" + holdport.port("web"));
        assertThat(web.get("state").asText()).isEqualTo("open");
        assertThat(web.get("active").asText()).isEqualTo("a");
        assertThat(web.get("paused_since").isNull()).isTrue();
        assertThat(web.get("held").asInt()).isZero();
        assertThat(web.get("oldest_held_seconds").asDouble()).isZero();
        assertThat(web.get("connecting").asInt()).isZero();
        assertThat(web.get("slots")).hasSize(2);
        JsonNode slotA = web.get("slots").get(0);
        assertThat(slotA.get("name").asText()).isEqualTo("a");
        assertThat(slotA.get("address").asText()).isEqualTo(holdport.a().address());
        assertThat(slotA.get("path").asText()).isEqualTo("/opt/app/a");
        assertThat(slotA.get("active").asBoolean()).isTrue();
        assertThat(slotA.get("live_relays").asInt()).isZero();
        assertThat(slotA.get("process").isNull()).as("not supervised: no start command").isTrue();
        assertThat(web.get("slots").get(1).get("active").asBoolean()).isFalse();
        JsonNode totals = web.get("totals");
        for (String counter : new String[] {"accepted", "relayed", "held", "released", "abandoned", "timed_out",
            "failed", "bytes_from_clients", "bytes_to_clients", "pauses", "switches"}) {
            assertThat(totals.get(counter)).as(counter).isNotNull();
        }
        for (String reason : new String[] {"abandoned", "hold_timeout", "backend_unavailable", "backend_timeout",
            "client_gone", "shutdown", "early_data_limit"}) {
            assertThat(totals.get("closed").get(reason)).as(reason).isNotNull();
        }
    }

    @Test
    void routeStatusIsOneRoute() {
        HttpResponse<String> response = holdport.api().get("/routes/web/status");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode web = Api.json(response);
        assertThat(web.get("route").asText()).isEqualTo("web");
        assertThat(web.get("state").asText()).isEqualTo("open");
    }

    @Test
    void pauseAndResumeEveryRouteAreIdempotent() {
        JsonNode paused = Api.json(holdport.api().post("/pause")).get("routes").get(0);
        assertThat(paused.get("state").asText()).isEqualTo("paused");
        assertThat(paused.get("paused_since").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");

        HttpResponse<String> again = holdport.api().post("/pause");
        assertThat(again.statusCode()).isEqualTo(200);
        JsonNode pausedAgain = Api.json(again).get("routes").get(0);
        assertThat(pausedAgain.get("state").asText()).isEqualTo("paused");
        assertThat(pausedAgain.get("paused_since").asText()).isEqualTo(paused.get("paused_since").asText());
        assertThat(pausedAgain.get("totals").get("pauses").asLong()).isEqualTo(1);

        JsonNode resumed = Api.json(holdport.api().post("/resume")).get("routes").get(0);
        assertThat(resumed.get("state").asText()).isEqualTo("open");
        assertThat(resumed.get("active").asText()).isEqualTo("a");
        assertThat(Api.json(holdport.api().post("/resume")).get("routes").get(0).get("state").asText()).isEqualTo("open");
    }

    @Test
    void pauseAndResumeOneRoute() {
        HttpResponse<String> paused = holdport.api().post("/routes/web/pause");
        assertThat(paused.statusCode()).isEqualTo(200);
        assertThat(Api.json(paused).get("state").asText()).isEqualTo("paused");

        HttpResponse<String> resumed = holdport.api().post("/routes/web/resume", "{\"slot\": \"b\"}");
        assertThat(resumed.statusCode()).isEqualTo(200);
        assertThat(Api.json(resumed).get("state").asText()).isEqualTo("open");
        assertThat(Api.json(resumed).get("active").asText()).isEqualTo("b");
    }

    @Test
    void resumeToASlotGivenInTheQuery() {
        holdport.api().post("/pause");

        JsonNode web = Api.json(holdport.api().post("/resume?slot=b")).get("routes").get(0);

        assertThat(web.get("state").asText()).isEqualTo("open");
        assertThat(web.get("active").asText()).isEqualTo("b");
    }

    @Test
    void switchByBodyOrQueryIsIdempotent() throws Exception {
        JsonNode switched = Api.json(holdport.api().post("/switch", "{\"slot\":\"b\"}")).get("routes").get(0);
        assertThat(switched.get("active").asText()).isEqualTo("b");
        assertThat(switched.get("totals").get("switches").asLong()).isEqualTo(1);
        JsonNode again = Api.json(holdport.api().post("/switch?slot=b")).get("routes").get(0);
        assertThat(again.get("totals").get("switches").asLong()).isEqualTo(1);

        try (LineClient client = LineClient.connect(holdport.port("web"), WAIT)) {
            assertThat(client.exchange("hi")).isEqualTo("b: hi");
        }

        JsonNode back = Api.json(holdport.api().post("/routes/web/switch?slot=a"));
        assertThat(back.get("active").asText()).isEqualTo("a");
        assertThat(back.get("slots").get(0).get("active").asBoolean()).isTrue();
    }

    @Test
    void heldConnectionIsReleasedByResume() throws Exception {
        holdport.api().post("/pause");
        try (LineClient client = LineClient.connect(holdport.port("web"), WAIT)) {
            client.send("held");

            await().atMost(WAIT).until(() -> holdport.api().routeStatus("web").get("held").asInt() == 1);
            JsonNode holding = holdport.api().routeStatus("web");
            assertThat(holding.get("state").asText()).isEqualTo("paused");
            assertThat(holding.get("totals").get("held").asLong()).isEqualTo(1);
            assertThat(holding.get("totals").get("relayed").asLong()).isZero();
            assertThat(holdport.a().accepted()).isZero();

            HttpResponse<String> resumed = holdport.api().post("/resume");
            assertThat(resumed.statusCode()).isEqualTo(200);

            assertThat(client.readLine()).isEqualTo("a: held");
            JsonNode released = holdport.api().routeStatus("web");
            assertThat(released.get("state").asText()).isEqualTo("open");
            assertThat(released.get("held").asInt()).isZero();
            assertThat(released.get("totals").get("released").asLong()).isEqualTo(1);
            assertThat(released.get("totals").get("relayed").asLong()).isEqualTo(1);
            assertThat(released.get("slots").get(0).get("live_relays").asInt()).isEqualTo(1);
        }
    }

    @Test
    void drainAnswersAtOnceWhenNothingUsesAnInactiveSlot() {
        HttpResponse<String> response = holdport.api().post("/drain", "{\"timeout\": \"5s\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode drain = Api.json(response).get("routes").get(0).get("drain");
        assertThat(drain.get("drained").asBoolean()).isTrue();
        assertThat(drain.get("remaining").asInt()).isZero();
        assertThat(drain.get("waited_seconds").asDouble()).isLessThan(5);
    }

    @Test
    void drainTimesOutWithWhatRemained() throws Exception {
        try (LineClient client = LineClient.connect(holdport.port("web"), WAIT)) {
            assertThat(client.exchange("on a")).isEqualTo("a: on a");
            holdport.api().post("/switch?slot=b");

            HttpResponse<String> response = holdport.api().post("/routes/web/drain?timeout=300ms");

            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode web = Api.json(response);
            assertThat(web.get("active").asText()).isEqualTo("b");
            assertThat(web.get("drain").get("drained").asBoolean()).isFalse();
            assertThat(web.get("drain").get("remaining").asInt()).isEqualTo(1);
            assertThat(web.get("drain").get("waited_seconds").asDouble()).isGreaterThanOrEqualTo(0.3);
            // the old relay still works: a drain waits, it does not cut
            assertThat(client.exchange("still")).isEqualTo("a: still");
        }
    }

    @Test
    void drainAnswersWhenTheLastOldRelayEnds() throws Exception {
        LineClient client = LineClient.connect(holdport.port("web"), WAIT);
        assertThat(client.exchange("on a")).isEqualTo("a: on a");
        holdport.api().post("/switch", "{\"slot\": \"b\"}");

        CompletableFuture<HttpResponse<String>> drain = CompletableFuture.supplyAsync(
                () -> holdport.api().post("/routes/web/drain", "{\"timeout\": 30}"));
        await().atMost(WAIT).until(() -> holdport.api().routeStatus("web").get("slots").get(0).get("live_relays").asInt() == 1);
        client.close();

        HttpResponse<String> response = drain.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        JsonNode result = Api.json(response).get("drain");
        assertThat(result.get("drained").asBoolean()).isTrue();
        assertThat(result.get("remaining").asInt()).isZero();
        assertThat(result.get("waited_seconds").asDouble()).isLessThan(30);
    }

    @Test
    void probesAndDocument() {
        HttpResponse<String> health = holdport.api().get("/healthz");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(Api.json(health).get("status").asText()).isEqualTo("ok");

        HttpResponse<String> ready = holdport.api().get("/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(Api.json(ready).get("status").asText()).isEqualTo("ready");

        HttpResponse<String> openApi = holdport.api().get("/openapi.yaml");
        assertThat(openApi.statusCode()).isEqualTo(200);
        assertThat(openApi.headers().firstValue("Content-Type")).hasValue("application/yaml");
        assertThat(openApi.body()).startsWith("openapi: 3.").contains("/routes/{route}/drain:");

        HttpResponse<String> metrics = holdport.api().get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
        assertThat(metrics.body()).contains("holdport_connections_accepted_total{route=\"web\"}");
    }

    @Test
    void everyPathOfTheOpenApiDocumentIsServed() {
        List<String> documented = holdport.api().get("/openapi.yaml").body().lines()
                .filter(line -> line.matches("  /\\S*:"))
                .map(line -> line.trim().replace(":", "").replace("{route}", "web").replace("{id}", "web-none"))
                .toList();

        assertThat(documented).hasSize(20);
        for (String path : documented) {
            HttpResponse<String> response = holdport.api().get(path);
            if (path.startsWith("/deploys/")) {
                // the path exists; the deploy does not
                assertProblem(response, 404, "unknown-deploy");
                continue;
            }
            // GET on a POST endpoint is a 405, never a 404: the path exists
            assertThat(response.statusCode()).as(path).isIn(200, 405);
        }
    }

    @Test
    void readyzIsUnavailableOnceTheListenersAreClosed() throws Exception {
        // Shutting the proxy down closes its listeners while the admin API still answers.
        holdport.process().proxy().shutdown(Duration.ZERO);

        assertProblem(holdport.api().get("/readyz"), 503, "not-ready");
        assertThat(holdport.api().get("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void unknownRouteIs404() {
        for (String path : new String[] {"/routes/nope/pause", "/routes/nope/status"}) {
            HttpResponse<String> response = path.endsWith("status") ? holdport.api().get(path) : holdport.api().post(path);
            JsonNode problem = assertProblem(response, 404, "unknown-route");
            assertThat(problem.get("detail").asText()).contains("\"nope\"").contains("web");
        }
    }

    @Test
    void unknownSlotIs400AndChangesNothing() {
        JsonNode problem = assertProblem(holdport.api().post("/switch", "{\"slot\": \"zz\"}"), 400, "unknown-slot");
        assertThat(problem.get("detail").asText()).contains("zz");
        assertProblem(holdport.api().post("/routes/web/resume?slot=zz"), 400, "unknown-slot");

        JsonNode web = holdport.api().routeStatus("web");
        assertThat(web.get("active").asText()).isEqualTo("a");
        assertThat(web.get("totals").get("switches").asLong()).isZero();
    }

    @Test
    void malformedJsonIs400() {
        assertProblem(holdport.api().post("/switch", "{\"slot\": "), 400, "malformed-json");
        assertProblem(holdport.api().post("/switch", "[\"b\"]"), 400, "malformed-json");
        assertProblem(holdport.api().post("/routes/web/pause", "pause"), 400, "malformed-json");
        assertProblem(holdport.api().post("/switch", "{\"slot\": \"b\"} {\"slott\": \"c\"}"), 400, "malformed-json");
        assertProblem(holdport.api().post("/switch", "{\"slot\": \"a\", \"slot\": \"b\"}"), 400, "malformed-json");
        assertThat(holdport.api().routeStatus("web").get("active").asText()).as("unchanged").isEqualTo("a");
    }

    @Test
    void badArgumentsAre400() {
        JsonNode typo = assertProblem(holdport.api().post("/switch", "{\"slott\": \"b\"}"), 400, "invalid-request");
        assertThat(typo.get("detail").asText()).contains("slott");
        assertProblem(holdport.api().post("/switch"), 400, "invalid-request");
        assertProblem(holdport.api().post("/switch", "{\"slot\": 2}"), 400, "invalid-request");
        assertProblem(holdport.api().post("/pause?slot=b"), 400, "invalid-request");
        assertProblem(holdport.api().post("/switch?slot=a", "{\"slot\": \"b\"}"), 400, "invalid-request");
        assertProblem(holdport.api().post("/switch?slot=a&slot=b"), 400, "invalid-request");
        assertProblem(holdport.api().get("/status?verbose=1"), 400, "invalid-request");
        JsonNode timeout = assertProblem(holdport.api().post("/drain?timeout=soon"), 400, "invalid-request");
        assertThat(timeout.get("detail").asText()).contains("soon");
        JsonNode tooLong = assertProblem(holdport.api().post("/routes/web/drain?timeout=PT3000000H"), 400, "invalid-request");
        assertThat(tooLong.get("detail").asText()).contains("too long");

        assertThat(holdport.api().routeStatus("web").get("state").asText()).isEqualTo("open");
    }

    @Test
    void wrongMethodIs405WithAllow() {
        HttpResponse<String> getPause = holdport.api().get("/pause");
        assertProblem(getPause, 405, "method-not-allowed");
        assertThat(getPause.headers().firstValue("Allow")).hasValue("POST");

        HttpResponse<String> postStatus = holdport.api().post("/routes/web/status");
        assertProblem(postStatus, 405, "method-not-allowed");
        assertThat(postStatus.headers().firstValue("Allow")).hasValue("GET");

        HttpResponse<String> deleteMetrics = holdport.api().send("DELETE", "/metrics", HttpRequest.BodyPublishers.noBody());
        assertProblem(deleteMetrics, 405, "method-not-allowed");
        assertThat(deleteMetrics.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }

    /** Monitors probe with HEAD: the probes, metrics and the OpenAPI document take it (headers, no body). */
    @Test
    void headOnTheProbesAnswersLikeGetWithoutABody() throws Exception {
        for (String path : new String[] {"/healthz", "/readyz", "/metrics", "/openapi.yaml"}) {
            String answer = rawHttp("HEAD " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
            String get = holdport.api().get(path).headers().firstValue("Content-Type").orElse("");

            assertThat(answer).as(path).startsWith("HTTP/1.1 200");
            assertThat(answer).as(path).containsIgnoringCase("Content-Type: " + get);
            assertThat(answer.substring(answer.indexOf("\r\n\r\n") + 4)).as(path + ": no body").isEmpty();
        }
    }

    @Test
    void bodyOver64KiBIs413() {
        String big = "{\"slot\": \"" + "b".repeat(70 * 1024) + "\"}";
        assertProblem(holdport.api().post("/switch", big), 413, "body-too-large");

        // Without a Content-Length (chunked), the limit applies as the body arrives.
        InputStream chunked = new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = holdport.api().send(holdport.api().request("/switch")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> chunked)));
        assertProblem(response, 413, "body-too-large");

        assertThat(holdport.api().routeStatus("web").get("active").asText()).isEqualTo("a");
    }

    @Test
    void unknownPathIs404() {
        for (String path : new String[] {"/", "/nope", "/routes", "/routes/web", "/routes/web/frobnicate",
            "/routes/web/status/more", "/status/"}) {
            JsonNode problem = assertProblem(holdport.api().get(path), 404, "not-found");
            assertThat(problem.get("instance").asText()).isEqualTo(path);
        }
    }

    @Test
    void malformedHttpGetsProblemJsonNotAnHtmlPage() throws Exception {
        for (String request : new String[] {
            "GET /status HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
            "GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
            "POST /switch?slot=%zz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"}) {
            String answer = rawHttp(request);

            assertThat(answer).as(request).startsWith("HTTP/1.1 400");
            assertThat(answer).containsIgnoringCase("Content-Type: application/problem+json");
            assertThat(answer).contains("\"status\" : 400").contains("\"detail\"")
                    .doesNotContainIgnoringCase("<html").doesNotContain("Exception");
        }
    }

    /** CONNECT, before any token check: a 4xx problem, never a fault with a stack trace in the log. */
    @Test
    void connectGetsAProblemNotAFault() throws Exception {
        String answer;
        try (Socket socket = new Socket("127.0.0.1", holdport.adminPort())) {
            socket.setSoTimeout(5_000);
            String authority = "127.0.0.1:" + holdport.adminPort();
            socket.getOutputStream().write(("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            // Read the one answer (Jetty may keep a CONNECT's connection open after it).
            StringBuilder text = new StringBuilder();
            java.io.InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            int n;
            while (text.indexOf("\r\n\r\n") < 0 || !text.toString().strip().endsWith("}")) {
                n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
            answer = text.toString();
        }

        assertThat(answer).startsWith("HTTP/1.1 4");
        assertThat(answer).containsIgnoringCase("Content-Type: application/problem+json")
                .contains("\"detail\"").doesNotContain("internal-error");
    }

    /** One request written by hand (for what a well-behaved client refuses to send); the answer as text. */
    private String rawHttp(String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", holdport.adminPort())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write((request.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n")).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
