package dev.holdport.bench.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real processes started through taskset; needs two CPUs this process may use. */
class CpuLayoutTest {

    private CpuSet allowed;
    private CpuSet last;

    @BeforeEach
    void cpus() {
        allowed = CpuSet.allowedFor("self");
        assumeTrue(allowed.size() >= 2, "needs two CPUs to split between proxies and load");
        last = new CpuSet(allowed.cpus().tailSet(allowed.cpus().last()));
    }

    @Test
    void aProxyStartedThroughTheLayoutRunsOnTheProxyCpusAndTheLoadGetsTheRest() throws Exception {
        CpuLayout layout = CpuLayout.of(last.toString(), null);
        assertThat(layout.proxies()).isEqualTo(last);
        assertThat(layout.load()).isEqualTo(allowed.minus(last));
        Process proxy = new ProcessBuilder(layout.onProxyCpus(List.of("sleep", "30"))).start();
        try {
            // taskset sets the CPUs and then becomes the command, under the same PID; until it
            // has, the child still has this process's CPUs.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> CpuSet.allowedFor(Long.toString(proxy.pid())), last::equals);
        } finally {
            proxy.destroyForcibly().waitFor();
        }
    }

    @Test
    void loadCpusGivenOutrightAreTakenAsGiven() {
        CpuSet first = new CpuSet(allowed.cpus().headSet(allowed.cpus().first() + 1));
        CpuLayout layout = CpuLayout.of(last.toString(), first.toString());
        assertThat(layout.load()).isEqualTo(first);
    }

    @Test
    void theLoadCpusMayNotOverlapTheProxies() {
        assertThatThrownBy(() -> CpuLayout.of(last.toString(), allowed.toString()))
                .hasMessageContaining("--load-cpus " + allowed + " shares CPUs with --proxy-cpus " + last);
    }

    @Test
    void aLayoutThatLeavesTheLoadNoCpuOrNamesAForeignOneIsRefusedNamingTheOption() {
        assertThatThrownBy(() -> CpuLayout.of(allowed.toString(), null))
                .hasMessageContaining("--proxy-cpus " + allowed + " leaves no CPU for the load generator");
        int foreign = allowed.cpus().last() + 1000;
        assertThatThrownBy(() -> CpuLayout.of(Integer.toString(foreign), null))
                .hasMessageContaining("--proxy-cpus " + foreign + ": CPU " + foreign + " is not one this process may use");
        assertThatThrownBy(() -> CpuLayout.of(last.toString(), "0-"))
                .hasMessageStartingWith("--load-cpus: ");
    }
}
