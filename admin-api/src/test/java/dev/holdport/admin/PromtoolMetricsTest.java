package dev.holdport.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.holdport.admin.support.Api;
import dev.holdport.admin.support.HoldportFixture;
import dev.holdport.admin.support.PrometheusText;
import dev.holdport.proxy.testing.LineClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /metrics} checked by Prometheus' own parser, {@code promtool check metrics}, while
 * idle, while connections are held and after they were released or abandoned; the counters are
 * read with {@link PrometheusText} to show they moved between those scrapes. Skips (never fails)
 * when promtool is missing and cannot be installed here.
 */
class PromtoolMetricsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Path INSTALL_LOG = Path.of("target", "promtool-install.log");

    private static Promtool promtool;

    @RegisterExtension
    final HoldportFixture holdport = HoldportFixture.lineBackends();

    @BeforeAll
    static void findPromtool() throws Exception {
        Promtool.Found found = Promtool.locate(INSTALL_LOG);
        if (found.executable().isEmpty()) {
            Assumptions.abort(found.whyNot());
        }
        promtool = Promtool.at(found.executable().get());
        System.out.println("checking /metrics with " + promtool.version());
    }

    @Test
    void promtoolAcceptsEveryScrapeWhileCountersMove() throws Exception {
        PrometheusText idle = scrapeCheckedByPromtool("idle");
        assertThat(idle.value("holdport_connections_held", "route", "web")).isZero();
        assertThat(idle.value("holdport_connections_accepted_total", "route", "web")).isZero();
        assertThat(abandoned(idle)).isZero();

        holdport.api().post("/pause");
        try (LineClient kept = LineClient.connect(holdport.port("web"), WAIT)) {
            kept.send("hello");
            LineClient leaving = LineClient.connect(holdport.port("web"), WAIT);
            await().atMost(WAIT).until(() -> scrape().value("holdport_connections_held", "route", "web") == 2);

            PrometheusText held = scrapeCheckedByPromtool("two connections held");
            assertThat(held.value("holdport_connections_held", "route", "web")).isEqualTo(2);
            assertThat(held.value("holdport_paused", "route", "web")).isEqualTo(1);
            assertThat(held.value("holdport_connections_accepted_total", "route", "web"))
                    .isGreaterThan(idle.value("holdport_connections_accepted_total", "route", "web"));

            leaving.close();
            await().atMost(WAIT).until(() -> abandoned(scrape()) == 1);
            holdport.api().post("/resume");
            assertThat(kept.readLine()).isEqualTo("a: hello");

            PrometheusText released = scrapeCheckedByPromtool("released, one abandoned");
            assertThat(released.value("holdport_connections_held", "route", "web")).isZero();
            assertThat(released.value("holdport_paused", "route", "web")).isZero();
            assertThat(released.value("holdport_connections_active", "route", "web", "slot", "a")).isEqualTo(1);
            assertThat(released.value("holdport_connections_accepted_total", "route", "web")).isEqualTo(2);
            assertThat(released.value("holdport_hold_seconds_count", "route", "web"))
                    .isGreaterThan(held.value("holdport_hold_seconds_count", "route", "web"));
            assertThat(abandoned(released)).isGreaterThan(abandoned(held));
        }
    }

    private static double abandoned(PrometheusText metrics) {
        return metrics.value("holdport_connections_closed_total", "route", "web", "reason", "abandoned");
    }

    private String scrapeText() {
        HttpResponse<String> response = holdport.api().get("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain").contains("version=0.0.4"));
        return response.body();
    }

    private PrometheusText scrape() {
        return PrometheusText.parse(scrapeText());
    }

    /** One scrape, which promtool must accept. */
    private PrometheusText scrapeCheckedByPromtool(String moment) throws Exception {
        String text = scrapeText();
        Promtool.Verdict verdict = promtool.checkMetrics(text);
        assertThat(verdict.exitCode())
                .as("promtool check metrics on the %s scrape said:%n%s", moment, verdict.output())
                .isZero();
        // Exit 0 is promtool's pass; newer versions may still print lint advice, never errors.
        assertThat(verdict.output().lines().filter(line -> line.toLowerCase(Locale.ROOT).contains("error")))
                .as("promtool check metrics on the %s scrape said:%n%s", moment, verdict.output())
                .isEmpty();
        return PrometheusText.parse(text);
    }
}
