package dev.holdport.admin;

import static dev.holdport.admin.support.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdport.admin.server.AdminServer;
import dev.holdport.admin.support.Api;
import dev.holdport.admin.support.HoldportFixture;
import dev.holdport.admin.support.RunningHoldport;
import dev.holdport.config.AdminConfig;
import dev.holdport.config.HostPort;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.server.Handler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The bearer token, the loopback rule and the Unix domain socket. */
class AdminSecurityTest {

    private static final String TOKEN = "s3cret-token";

    @RegisterExtension
    final HoldportFixture holdport = HoldportFixture.lineBackends();

    @Test
    void noStateChangeWithoutTheToken() throws Exception {
        holdport.startWithToken(TOKEN);
        Api anonymous = holdport.api();
        Api wrong = anonymous.withToken("not-the-token");
        Api right = anonymous.withToken(TOKEN);
        List<String> changes = List.of("/pause", "/resume?slot=b", "/switch?slot=b", "/drain?timeout=1s",
                "/routes/web/pause", "/routes/web/resume?slot=b", "/routes/web/switch?slot=b",
                "/routes/web/drain?timeout=1s");

        for (String path : changes) {
            HttpResponse<String> none = anonymous.post(path);
            assertProblem(none, 401, "unauthorized");
            assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"holdport\"");

            HttpResponse<String> bad = wrong.post(path);
            assertProblem(bad, 401, "unauthorized");
            assertThat(bad.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                    v -> assertThat(v).startsWith("Bearer ").contains("invalid_token"));

            JsonNode web = right.routeStatus("web");
            assertThat(web.get("state").asText()).as("after %s", path).isEqualTo("open");
            assertThat(web.get("active").asText()).as("after %s", path).isEqualTo("a");
            assertThat(web.get("totals").get("pauses").asLong()).isZero();
            assertThat(web.get("totals").get("switches").asLong()).isZero();
        }

        assertProblem(anonymous.get("/status"), 401, "unauthorized");
        assertProblem(anonymous.get("/metrics"), 401, "unauthorized");
        assertProblem(anonymous.get("/nope"), 401, "unauthorized"); // reveals no paths either
        assertThat(anonymous.get("/healthz").statusCode()).isEqualTo(200);
        assertThat(anonymous.get("/readyz").statusCode()).isEqualTo(200);

        assertThat(right.post("/pause").statusCode()).isEqualTo(200);
        assertThat(right.routeStatus("web").get("state").asText()).isEqualTo("paused");
        assertThat(right.post("/switch?slot=b").statusCode()).isEqualTo(200);
        assertThat(right.routeStatus("web").get("active").asText()).isEqualTo("b");
        // the scheme name is case-insensitive (RFC 9110)
        HttpResponse<String> lowerCase = anonymous.send(anonymous.request("/routes/web/resume")
                .header("Authorization", "bearer " + TOKEN)
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()));
        assertThat(lowerCase.statusCode()).isEqualTo(200);
    }

    @Test
    void refusesANonLoopbackAddressWithoutAToken() {
        AdminConfig exposed = new AdminConfig(new HostPort("0.0.0.0", 0), Optional.empty(), Optional.empty());

        assertThatThrownBy(() -> AdminServer.start(exposed, nothing()))
                .isInstanceOf(AdminServer.AdminStartException.class)
                .hasMessageContaining("holdport.admin.listen")
                .hasMessageContaining("0.0.0.0:0")
                .hasMessageContaining("holdport.admin.token")
                .satisfies(e -> assertThat(((AdminServer.AdminStartException) e).isConfigError()).isTrue());
    }

    @Test
    void startsOnANonLoopbackAddressWithAToken() throws Exception {
        AdminConfig exposed = new AdminConfig(new HostPort("0.0.0.0", 0), Optional.of(TOKEN), Optional.empty());

        AdminServer server = AdminServer.start(exposed, nothing());
        try {
            assertThat(server.port()).isPositive();
        } finally {
            server.stop();
        }
    }

    @Test
    void unixSocketIsOwnerOnlyAndAnswers() throws Exception {
        Path dir = Files.createTempDirectory("holdport-sock-");
        Path socket = dir.resolve("admin.sock");
        try (RunningHoldport running = RunningHoldport.start("""
                admin { listen = "127.0.0.1:0", unix-socket = "%s" }
                routes.web {
                  listen = "127.0.0.1:0"
                  active = a
                  slots.a.address = "%s"
                }
                """.formatted(socket, holdport.a().address()))) {
            assertThat(Files.getPosixFilePermissions(socket))
                    .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));

            String answer = overUnixSocket(socket, "POST /pause HTTP/1.1\r\nHost: holdport\r\nContent-Length: 0\r\n"
                    + "Connection: close\r\n\r\n");

            assertThat(answer).startsWith("HTTP/1.1 200");
            assertThat(answer).contains("\"state\" : \"paused\"");
            assertThat(new Api(running.url()).routeStatus("web").get("state").asText()).isEqualTo("paused");
            try (var files = Files.list(dir)) {
                assertThat(files.toList()).containsExactly(socket); // no temporary name left behind
            }
        }
        assertThat(socket).doesNotExist();
        Files.delete(dir);
    }

    /** A handler that answers nothing: these tests are about starting the server. */
    private static Handler nothing() {
        return new Handler.Abstract() {
            @Override
            public boolean handle(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                    org.eclipse.jetty.util.Callback callback) {
                return false;
            }
        };
    }

    private static String overUnixSocket(Path socket, String request) throws Exception {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
            StringBuilder answer = new StringBuilder();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                answer.append(StandardCharsets.UTF_8.decode(buffer));
                buffer.clear();
            }
            return answer.toString();
        }
    }
}
