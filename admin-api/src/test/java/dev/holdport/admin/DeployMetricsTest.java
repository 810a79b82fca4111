package dev.holdport.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdport.admin.support.Api;
import dev.holdport.admin.support.HoldportFixture;
import dev.holdport.admin.support.PrometheusText;
import dev.holdport.admin.support.SlotInstall;
import dev.holdport.deploy.Deploy;
import dev.holdport.deploy.DeployState;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The deploy and slot-process metrics ({@code holdport_deploys_total},
 * {@code holdport_slot_process_crashes_total}, {@code holdport_slot_process_restarts_total}) in a
 * real scrape, after real deploys of supervised slots (child JVMs) and a real crash.
 */
class DeployMetricsTest {

    /** Child JVMs start slowly on a shared, busy machine. */
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    final HoldportFixture holdport = HoldportFixture.supervisedSlots();

    private PrometheusText scrape() {
        HttpResponse<String> response = holdport.api().get("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        return PrometheusText.parse(response.body());
    }

    private double deploys(PrometheusText metrics, String result) {
        return metrics.value("holdport_deploys_total", "route", "web", "result", result);
    }

    @Test
    void everyDeployIsCountedOnceWhoeverBeganItAndACrashCountsAsCrashAndRestart() throws Exception {
        holdport.install("a", SlotInstall.serving("a"));
        holdport.install("b", SlotInstall.serving("b"));
        Api api = holdport.api();
        holdport.awaitServing("a");

        PrometheusText before = scrape();
        for (String result : new String[] {"succeeded", "rolled_back", "cancelled", "failed", "interrupted"}) {
            assertThat(deploys(before, result)).as(result).isZero();
        }
        assertThat(before.value("holdport_slot_process_crashes_total", "route", "web", "slot", "a")).isZero();
        assertThat(before.value("holdport_slot_process_restarts_total", "route", "web", "slot", "a")).isZero();

        // One deploy through the REST API...
        HttpResponse<String> started = api.post("/routes/web/deploy", "{\"slot\": \"b\"}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        String id = Api.json(started).path("id").asText();
        JsonNode ended = await().atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> Api.json(api.get("/deploys/" + id)), d -> !d.path("state").asText().equals("running"));
        assertThat(ended.path("state").asText()).as(ended.toPrettyString()).isEqualTo("succeeded");
        holdport.awaitServing("b");

        // ...and one begun by holdport's Java API, as anything but a REST request would.
        Deploy rollback = holdport.process().deployer().rollback("web", Optional.empty(), Optional.empty());
        Deploy back = holdport.process().deployer().completion(rollback.id()).orElseThrow()
                .get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        assertThat(back.state()).isEqualTo(DeployState.SUCCEEDED);
        holdport.awaitServing("a");

        // Counted as each deploy publishes its end, which may come just after its final state shows.
        await().atMost(WAIT).until(() -> deploys(scrape(), "succeeded") == 2);
        PrometheusText afterDeploys = scrape();
        assertThat(deploys(afterDeploys, "rolled_back")).isZero();
        assertThat(deploys(afterDeploys, "cancelled")).isZero();
        // Slot b was stopped by the rollback: holdport's own stop is no crash.
        assertThat(afterDeploys.value("holdport_slot_process_crashes_total", "route", "web", "slot", "b")).isZero();
        assertThat(afterDeploys.value("holdport_slot_process_restarts_total", "route", "web", "slot", "b")).isZero();

        // The active slot's process dies: the crash guard starts it again.
        long pid = holdport.pid("a").orElseThrow();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        await().atMost(WAIT).until(() -> holdport.pid("a").isPresent() && holdport.pid("a").getAsLong() != pid);
        holdport.awaitServing("a");

        PrometheusText afterCrash = scrape();
        assertThat(afterCrash.value("holdport_slot_process_crashes_total", "route", "web", "slot", "a")).isEqualTo(1);
        assertThat(afterCrash.value("holdport_slot_process_restarts_total", "route", "web", "slot", "a")).isEqualTo(1);
        assertThat(afterCrash.value("holdport_slot_process_crashes_total", "route", "web", "slot", "b")).isZero();
        // A crash recovery is no deploy.
        assertThat(deploys(afterCrash, "succeeded")).isEqualTo(2);
    }
}
