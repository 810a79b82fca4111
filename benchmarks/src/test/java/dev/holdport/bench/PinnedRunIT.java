package dev.holdport.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdport.bench.process.CpuSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code run.sh --proxy-cpus}: the proxies on some CPUs, the load on the others. The run checks
 * each proxy's CPUs itself (a proxy elsewhere is a run error); this asserts that check passed, that
 * the results state the layout as the kernel had it, and that a layout leaving the load no CPU is
 * refused before anything starts.
 */
class PinnedRunIT {

    private final CpuSet allowed = CpuSet.allowedFor("self");

    @Test
    void proxiesRunOnTheirCpusAndTheResultsSayWhere() throws Exception {
        assumeTrue(allowed.size() >= 2, "needs two CPUs to split between proxies and load");
        CpuSet proxies = new CpuSet(allowed.cpus().tailSet(allowed.cpus().last()));
        Path out = RunScript.MODULE.resolve("target/pinned-it");
        RunScript.deleteRecursively(out);

        RunScript.Outcome run = RunScript.run("pinned-it.log",
                List.of("newconn", "--quick", "--proxy-cpus", proxies.toString(), "--out", out.toString()));

        assertThat(run.exitCode()).as("run.sh exit code; output:\n%s", run.output()).isZero();
        JsonNode results;
        try (Stream<Path> files = Files.list(out)) {
            Path json = files.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
            results = new ObjectMapper().readTree(json.toFile());
        }
        assertThat(results.get("errors")).as("errors (a proxy off its CPUs is one)").isEmpty();
        assertThat(results.at("/settings/proxy CPUs").asText()).isEqualTo(proxies.toString());
        assertThat(results.at("/settings/load CPUs").asText()).isEqualTo(allowed.minus(proxies).toString());
        assertThat(results.get("targets").toString()).contains("holdport");
        JsonNode rate = results.get("figures").get(0);
        assertThat(rate.get("scenario").asText()).isEqualTo("newconn");
        assertThat(rate.get("rounds").path("holdport").get(0).asDouble()).isPositive();
    }

    @Test
    void proxyCpusThatLeaveTheLoadNoneAreRefusedBeforeAnythingStarts() throws Exception {
        Path out = RunScript.MODULE.resolve("target/pinned-it-refused");
        RunScript.deleteRecursively(out);

        RunScript.Outcome run = RunScript.run("pinned-it-refused.log",
                List.of("newconn", "--quick", "--proxy-cpus", allowed.toString(), "--out", out.toString()));

        assertThat(run.exitCode()).as("usage error; output:\n%s", run.output()).isEqualTo(2);
        assertThat(run.output()).contains("--proxy-cpus " + allowed + " leaves no CPU for the load generator")
                .doesNotContain("starting backends");
        assertThat(out).doesNotExist();
    }
}
