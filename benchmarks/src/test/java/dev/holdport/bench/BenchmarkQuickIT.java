package dev.holdport.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Runs {@code benchmarks/run.sh --quick} for real (after both jars are packaged) so the benchmarks
 * never rot: backends, holdport from its jar, and whichever peers are installed. Asserts that
 * every scenario produced figures for every target that started, and that a peer that did not
 * start is reported as skipped with a reason. Never asserts on speed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BenchmarkQuickIT {

    private static final List<String> PEERS = List.of("haproxy", "nginx");

    private final Path out = RunScript.MODULE.resolve("target/quick-it");
    private String output;
    private int exitCode;
    private JsonNode results;
    private List<String> targets;

    @BeforeAll
    void runQuick() throws IOException, InterruptedException {
        RunScript.deleteRecursively(out);
        RunScript.Outcome run = RunScript.run("quick-it.log", List.of("--quick", "--out", out.toString()));
        exitCode = run.exitCode();
        output = run.output();
        Path json;
        try (Stream<Path> files = Files.list(out)) {
            json = files.filter(p -> p.toString().endsWith(".json")).findFirst()
                    .orElseThrow(() -> new AssertionError("no results JSON; run.sh printed:\n" + output));
        }
        results = new ObjectMapper().readTree(json.toFile());
        targets = new ArrayList<>();
        results.get("targets").forEach(t -> targets.add(t.asText()));
    }

    @Test
    void runCompletesWithoutErrorsAndWritesTableJsonAndChart() throws IOException {
        assertThat(exitCode).as("run.sh exit code; output:\n%s", output).isZero();
        assertThat(results.get("errors")).as("errors").isEmpty();
        assertThat(output).contains("| figure |");
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .anyMatch(n -> n.endsWith(".md")).anyMatch(n -> n.endsWith(".png"));
        }
    }

    @Test
    void directAndHoldportAlwaysRunAndPeersRunOrAreReportedSkipped() {
        assertThat(targets).as("output:\n%s", output).contains("direct", "holdport");
        for (String peer : PEERS) {
            if (!targets.contains(peer)) {
                assertThat(results.get("skipped").path(peer).asText()).as("reason %s was skipped", peer).isNotBlank();
            }
        }
    }

    @Test
    void throughputAndLatencyScenariosProducedFiguresForEveryTarget() {
        for (String scenario : List.of("bulk", "keepalive", "newconn")) {
            assertFiguresForEveryTarget(scenario);
        }
    }

    @Test
    void externalClientsProducedFiguresOrAreReportedSkipped() {
        for (String tool : List.of("iperf3", "wrk")) {
            if (results.get("skipped").has(tool)) {
                assertThat(results.get("skipped").get(tool).asText()).isNotBlank();
            } else {
                assertFiguresForEveryTarget(tool);
            }
        }
    }

    @Test
    void holdCapacityHeldAndReleasedEveryConnection() {
        JsonNode hold = results.get("hold");
        assertThat(hold).as("hold rows").isNotEmpty();
        JsonNode step = hold.get(0);
        assertThat(step.get("skipped").isNull()).as("skipped: %s", step.get("skipped")).isTrue();
        int connected = step.get("connected").asInt();
        assertThat(connected).isEqualTo(step.get("requested").asInt());
        assertThat(step.get("heldByHoldport").asInt() + step.get("waitedInBacklog").asInt()).isEqualTo(connected);
        assertThat(step.get("heldByHoldport").asInt()).isPositive();
        assertThat(step.get("clientProcesses").asInt()).as("--quick's step runs in-process").isEqualTo(1);
        assertThat(step.get("answered").asInt()).isEqualTo(connected);
        assertThat(step.get("rssBytesPerHeldConnection").isNumber()).isTrue();
        assertThat(step.get("releaseSeconds").isNumber()).isTrue();
    }

    @Test
    void deployUnderLoadRanEveryWay() {
        List<String> ways = new ArrayList<>();
        results.get("deploy").forEach(row -> {
            assertThat(row.get("total").asLong()).isPositive();
            ways.add(row.get("way").asText().split(" ")[0]);
        });
        List<String> expected = new ArrayList<>(List.of("direct", "holdport"));
        if (targets.contains("haproxy")) {
            expected.add("haproxy");
        }
        assertThat(ways).containsAll(expected);
    }

    private void assertFiguresForEveryTarget(String scenario) {
        List<JsonNode> figures = new ArrayList<>();
        results.get("figures").forEach(f -> {
            if (f.get("scenario").asText().equals(scenario)) {
                figures.add(f);
            }
        });
        assertThat(figures).as("figures of %s", scenario).isNotEmpty();
        for (JsonNode figure : figures) {
            boolean perProxyCpu = figure.get("unit").asText().equals("BYTES_PER_CPU_SECOND")
                    || figure.get("id").asText().endsWith(".cpu");
            for (String target : targets) {
                if (perProxyCpu && target.equals("direct")) {
                    continue; // direct has no proxy process
                }
                JsonNode values = figure.get("rounds").path(target);
                assertThat(values.isArray() && values.size() > 0)
                        .as("%s has a value for %s", figure.get("id").asText(), target).isTrue();
                assertThat(values.get(0).isNumber()).as("%s/%s is a number", figure.get("id").asText(), target).isTrue();
                assertThat(figure.get("roundNumbers").path(target).size())
                        .as("%s/%s has a round number per value", figure.get("id").asText(), target).isEqualTo(values.size());
            }
            JsonNode haproxy = figure.get("rounds").path("haproxy");
            if (figure.get("rounds").has("holdport") && haproxy.size() > 0 && haproxy.get(0).asDouble() != 0) {
                assertThat(figure.get("holdportToHaproxyByRound").path("1").isNumber())
                        .as("%s has holdport/haproxy of round 1", figure.get("id").asText()).isTrue();
            }
        }
    }
}
