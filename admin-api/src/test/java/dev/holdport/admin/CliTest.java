package dev.holdport.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdport.admin.support.Api;
import dev.holdport.admin.support.HoldportCommand;
import dev.holdport.admin.support.HoldportCommand.Result;
import dev.holdport.admin.support.HoldportFixture;
import dev.holdport.proxy.testing.FreePort;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The real CLI, as a child process, against a running holdport: output and exit codes. */
class CliTest {

    @RegisterExtension
    final HoldportFixture holdport = HoldportFixture.lineBackends();

    @Test
    void commandsPrintATableAndExit0() throws Exception {
        String admin = holdport.url();
        Api api = holdport.api();

        Result status = HoldportCommand.run("status", "--admin", admin);
        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out().lines().findFirst()).hasValueSatisfying(header -> assertThat(header)
                .startsWith("ROUTE").contains("STATE").contains("ACTIVE").contains("HELD"));
        assertThat(status.out()).containsPattern("web +127\\.0\\.0\\.1:\\d+ +open +a +0 ");
        assertThat(status.out()).containsPattern("web +a +yes +" + holdport.a().address() + " +0 +/opt/app/a");
        assertThat(status.out()).containsPattern("web +b +" + holdport.b().address() + " +0 +/opt/app/b");

        Result pause = HoldportCommand.run("pause", "--admin", admin);
        assertThat(pause.exitCode()).as(pause.err()).isZero();
        assertThat(pause.out()).containsPattern("web +127\\.0\\.0\\.1:\\d+ +paused +a ");
        assertThat(api.routeStatus("web").get("state").asText()).isEqualTo("paused");

        Result resume = HoldportCommand.run("resume", "--route", "web", "--slot", "b", "--admin", admin);
        assertThat(resume.exitCode()).as(resume.err()).isZero();
        assertThat(resume.out()).containsPattern("web +127\\.0\\.0\\.1:\\d+ +open +b ");
        assertThat(api.routeStatus("web").get("active").asText()).isEqualTo("b");

        Result switchBack = HoldportCommand.run("switch", "--slot", "a", "--admin", admin);
        assertThat(switchBack.exitCode()).as(switchBack.err()).isZero();
        assertThat(switchBack.out()).containsPattern("web +a +yes ");
        assertThat(api.routeStatus("web").get("active").asText()).isEqualTo("a");

        Result drain = HoldportCommand.run("drain", "--timeout", "2s", "--admin", admin);
        assertThat(drain.exitCode()).as(drain.err()).isZero();
        assertThat(drain.out()).contains("DRAINED").contains("REMAINING").containsPattern("web +open +a +yes +0 ");
    }

    @Test
    void jsonPrintsTheApiAnswer() throws Exception {
        Result status = HoldportCommand.run("status", "--json", "--route", "web", "--admin", holdport.url());

        assertThat(status.exitCode()).as(status.err()).isZero();
        JsonNode web = Api.JSON.readTree(status.out());
        assertThat(web.get("route").asText()).isEqualTo("web");
        assertThat(web.get("slots").get(1).get("address").asText()).isEqualTo(holdport.b().address());

        Result pause = HoldportCommand.run("pause", "--json", "--admin", holdport.url());
        assertThat(pause.exitCode()).isZero();
        assertThat(Api.JSON.readTree(pause.out()).get("routes").get(0).get("state").asText()).isEqualTo("paused");
    }

    @Test
    void refusalsExit1WithTheServersDetail() throws Exception {
        Result unknownSlot = HoldportCommand.run("switch", "--slot", "zz", "--admin", holdport.url());
        assertThat(unknownSlot.exitCode()).isEqualTo(1);
        assertThat(unknownSlot.err()).contains("400").contains("Unknown slot").contains("\"zz\"");
        assertThat(unknownSlot.out()).isEmpty();

        Result unknownRoute = HoldportCommand.run("pause", "--route", "nope", "--admin", holdport.url());
        assertThat(unknownRoute.exitCode()).isEqualTo(1);
        assertThat(unknownRoute.err()).contains("404").contains("\"nope\"");

        Result asJson = HoldportCommand.run("resume", "--slot", "zz", "--json", "--admin", holdport.url());
        assertThat(asJson.exitCode()).isEqualTo(1);
        assertThat(Api.JSON.readTree(asJson.out()).get("status").asInt()).isEqualTo(400);

        assertThat(holdport.api().routeStatus("web").get("state").asText()).isEqualTo("open");
    }

    @Test
    void tokenComesFromTheOptionOrTheEnvironment() throws Exception {
        holdport.startWithToken("tok");
        Result without = HoldportCommand.run("pause", "--admin", holdport.url());
        assertThat(without.exitCode()).isEqualTo(1);
        assertThat(without.err()).contains("401");

        Result wrong = HoldportCommand.run("pause", "--token", "nope", "--admin", holdport.url());
        assertThat(wrong.exitCode()).isEqualTo(1);

        Result fromEnv = HoldportCommand.run(Map.of("HOLDPORT_ADMIN_TOKEN", "tok"), "pause", "--admin", holdport.url());
        assertThat(fromEnv.exitCode()).as(fromEnv.err()).isZero();

        Result fromOption = HoldportCommand.run("resume", "--token", "tok", "--admin", holdport.url());
        assertThat(fromOption.exitCode()).as(fromOption.err()).isZero();

        Result twoLines = HoldportCommand.run("pause", "--token", "tok\nextra", "--admin", holdport.url());
        assertThat(twoLines.exitCode()).as("a usage error, not a refusal").isEqualTo(2);
        assertThat(twoLines.err()).contains("--token holds a control character").doesNotContain("Exception");
        Result spaced = HoldportCommand.run(Map.of("HOLDPORT_ADMIN_TOKEN", "tok "), "pause", "--admin", holdport.url());
        assertThat(spaced.exitCode()).isEqualTo(2);
        assertThat(spaced.err()).contains("--token starts or ends with whitespace");
    }

    @Test
    void cancelOfAnUnknownDeployExits1UsageErrorsExit2() throws Exception {
        Result unknown = HoldportCommand.run("cancel", "web-19700101T000000Z-0000", "--json", "--admin", holdport.url());
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("cancel refused (404");
        assertThat(Api.JSON.readTree(unknown.out()).path("status").asInt()).isEqualTo(404);

        Result noId = HoldportCommand.run("cancel", "--admin", holdport.url());
        assertThat(noId.exitCode()).isEqualTo(2);
        assertThat(noId.err()).contains("ID");

        Result blank = HoldportCommand.run("cancel", " ", "--admin", holdport.url());
        assertThat(blank.exitCode()).isEqualTo(2);
        assertThat(blank.err()).contains("ID is empty");

        Result noRoute = HoldportCommand.run("cancel", "x", "--route", "web", "--admin", holdport.url());
        assertThat(noRoute.exitCode()).as("a deploy id names its route").isEqualTo(2);
    }

    @Test
    void exit3WhenNothingListens() {
        String nobody = "http://127.0.0.1:" + FreePort.pick();
        Result result = HoldportCommand.run("pause", "--admin", nobody);
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.err()).contains("cannot reach the admin API at " + nobody).contains("connection refused");
        assertThat(result.out()).isEmpty();

        Result viaEnv = HoldportCommand.run(Map.of("HOLDPORT_ADMIN_URL", nobody), "switch", "--slot", "b");
        assertThat(viaEnv.exitCode()).isEqualTo(3);

        Result cancel = HoldportCommand.run("cancel", "web-19700101T000000Z-0000", "--admin", nobody);
        assertThat(cancel.exitCode()).isEqualTo(3);
    }

    /**
     * Something else answering 200 at the address (a web server on a forgotten port) is not
     * holdport: `holdport pause && stop-backend` must not stop the backend with nothing paused.
     */
    @Test
    void aSuccessThatIsNotHoldportsJsonExits3() throws Exception {
        com.sun.net.httpserver.HttpServer other = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        other.createContext("/", exchange -> {
            boolean html = exchange.getRequestURI().getPath().equals("/pause");
            byte[] body = (html ? "<html>welcome</html>" : "").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", html ? "text/html" : "application/json");
            exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        other.start();
        try {
            String address = "127.0.0.1:" + other.getAddress().getPort();
            Result pause = HoldportCommand.run("pause", "--admin", address);
            assertThat(pause.exitCode()).isEqualTo(3);
            assertThat(pause.err()).contains("answered 200 with text/html, not holdport's JSON");
            assertThat(pause.out()).isEmpty();

            Result json = HoldportCommand.run("resume", "--json", "--admin", address);
            assertThat(json.exitCode()).isEqualTo(3);
            assertThat(json.out()).as("nothing that passes for holdport's answer").isEmpty();
        } finally {
            other.stop(0);
        }
    }

    @Test
    void usageErrorsExit2() {
        Result noSlot = HoldportCommand.run("switch");
        assertThat(noSlot.exitCode()).isEqualTo(2);
        assertThat(noSlot.err()).contains("--slot");

        Result badTimeout = HoldportCommand.run("drain", "--timeout", "soon");
        assertThat(badTimeout.exitCode()).isEqualTo(2);
        assertThat(badTimeout.err()).contains("soon");

        Result badUrl = HoldportCommand.run("status", "--admin", "ftp://x");
        assertThat(badUrl.exitCode()).isEqualTo(2);

        Result badPort = HoldportCommand.run("status", "--admin", "http://127.0.0.1:99999");
        assertThat(badPort.exitCode()).isEqualTo(2);
        assertThat(badPort.err()).contains("port 99999 is out of range").doesNotContain("\tat ");

        // A token no HTTP header can carry is refused before anything is sent, and never echoed.
        Result badToken = HoldportCommand.run("status", "--admin", holdport.url(), "--token", "abc\u20acdef");
        assertThat(badToken.exitCode()).isEqualTo(2);
        assertThat(badToken.err()).contains("outside printable ASCII").doesNotContain("abc").doesNotContain("\tat ");

        Result nothing = HoldportCommand.run();
        assertThat(nothing.exitCode()).isEqualTo(2);
        assertThat(nothing.err()).contains("Usage: holdport").contains("check-config").contains("demo");

        Result help = HoldportCommand.run("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Exit codes:");
    }
}
