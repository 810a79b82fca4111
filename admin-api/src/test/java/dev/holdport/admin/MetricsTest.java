package dev.holdport.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.holdport.admin.support.Api;
import dev.holdport.admin.support.HoldportFixture;
import dev.holdport.admin.support.PrometheusText;
import dev.holdport.proxy.testing.LineClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /metrics}: valid exposition text, the contract's names, and counters that move. */
class MetricsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final HoldportFixture holdport = HoldportFixture.lineBackends();

    private PrometheusText scrape() {
        HttpResponse<String> response = holdport.api().get("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        return PrometheusText.parse(response.body());
    }

    @Test
    void exposesTheContractNamesWithTheirTypes() {
        PrometheusText metrics = scrape();

        assertThat(metrics.types()).containsAllEntriesOf(Map.ofEntries(
                Map.entry("holdport_connections_accepted_total", "counter"),
                Map.entry("holdport_connections_active", "gauge"),
                Map.entry("holdport_connections_held", "gauge"),
                Map.entry("holdport_hold_seconds", "histogram"),
                Map.entry("holdport_connections_closed_total", "counter"),
                Map.entry("holdport_backend_connect_seconds", "histogram"),
                Map.entry("holdport_bytes_total", "counter"),
                Map.entry("holdport_paused", "gauge"),
                Map.entry("holdport_pauses_total", "counter"),
                Map.entry("holdport_switches_total", "counter"),
                Map.entry("holdport_client_connections_open", "gauge"),
                Map.entry("holdport_client_connections_limit", "gauge")));
        assertThat(metrics.types().keySet()).anyMatch(name -> name.startsWith("jvm_memory"));
        assertThat(metrics.value("holdport_connections_accepted_total", "route", "web")).isZero();
        assertThat(metrics.value("holdport_paused", "route", "web")).isZero();
        assertThat(metrics.value("holdport_client_connections_open")).isZero();
        assertThat(metrics.value("holdport_client_connections_limit")).as("derived from this JVM's open-file limit").isPositive();
        assertThat(metrics.value("holdport_connections_active", "route", "web", "slot", "a")).isZero();
        assertThat(metrics.value("holdport_connections_active", "route", "web", "slot", "b")).isZero();
        assertThat(metrics.value("holdport_connections_closed_total", "route", "web", "reason", "abandoned")).isZero();
        assertThat(metrics.value("holdport_hold_seconds_count", "route", "web")).isZero();
        assertThat(metrics.value("holdport_backend_connect_seconds_count", "route", "web", "slot", "a")).isZero();
        assertThat(metrics.value("holdport_bytes_total", "route", "web", "direction", "client_to_backend")).isZero();
        assertThat(metrics.value("holdport_bytes_total", "route", "web", "direction", "backend_to_client")).isZero();
    }

    @Test
    void countersMoveAsConnectionsAreHeldReleasedAndClosed() throws Exception {
        holdport.api().post("/pause");
        assertThat(scrape().value("holdport_paused", "route", "web")).isEqualTo(1);
        assertThat(scrape().value("holdport_pauses_total", "route", "web")).isEqualTo(1);

        try (LineClient kept = LineClient.connect(holdport.port("web"), WAIT)) {
            kept.send("hello");
            LineClient leaving = LineClient.connect(holdport.port("web"), WAIT);
            await().atMost(WAIT).until(() -> scrape().value("holdport_connections_held", "route", "web") == 2);
            assertThat(scrape().value("holdport_connections_accepted_total", "route", "web")).isEqualTo(2);
            assertThat(scrape().value("holdport_client_connections_open")).isEqualTo(2);

            leaving.close();
            await().atMost(WAIT).until(() -> scrape().value(
                    "holdport_connections_closed_total", "route", "web", "reason", "abandoned") == 1);
            assertThat(scrape().value("holdport_connections_held", "route", "web")).isEqualTo(1);

            holdport.api().post("/resume");
            assertThat(kept.readLine()).isEqualTo("a: hello");

            PrometheusText resumed = scrape();
            assertThat(resumed.value("holdport_paused", "route", "web")).isZero();
            assertThat(resumed.value("holdport_connections_held", "route", "web")).isZero();
            assertThat(resumed.value("holdport_hold_seconds_count", "route", "web")).isEqualTo(2);
            assertThat(resumed.value("holdport_hold_seconds_sum", "route", "web")).isPositive();
            assertThat(resumed.value("holdport_connections_active", "route", "web", "slot", "a")).isEqualTo(1);
            assertThat(resumed.value("holdport_backend_connect_seconds_count", "route", "web", "slot", "a"))
                    .isEqualTo(1);

            holdport.api().post("/switch?slot=b");
            assertThat(scrape().value("holdport_switches_total", "route", "web")).isEqualTo(1);
        }
        await().atMost(WAIT).until(() -> scrape().value("holdport_connections_active", "route", "web", "slot", "a") == 0);
        PrometheusText closed = scrape();
        assertThat(closed.value("holdport_bytes_total", "route", "web", "direction", "client_to_backend"))
                .isEqualTo("hello\n".length());
        assertThat(closed.value("holdport_bytes_total", "route", "web", "direction", "backend_to_client"))
                .isEqualTo("a: hello\n".length());
    }

    @Test
    void aBackendThatIsDownCountsAsUnavailable() throws Exception {
        holdport.b().close(); // slot b is down
        holdport.api().post("/switch?slot=b");

        try (LineClient client = LineClient.connect(holdport.port("web"), WAIT)) {
            // retry-refused-for is 1s in this config: then holdport gives up and closes the client
            assertThat(client.readLine()).isNull();
        }

        await().atMost(WAIT).until(() -> scrape().value(
                "holdport_connections_closed_total", "route", "web", "reason", "backend_unavailable") == 1);
    }
}
