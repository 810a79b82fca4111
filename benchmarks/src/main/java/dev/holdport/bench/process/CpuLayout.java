package dev.holdport.bench.process;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Which CPUs the proxies run on and which the load runs on (this JVM, the backends, the external
 * clients), so that a proxy does not share cores with its own load generator. The proxies are
 * started through {@code taskset -c}; this process pins itself, all its threads, and its children
 * inherit that.
 */
public record CpuLayout(CpuSet proxies, CpuSet load, Path taskset) {

    /**
     * @param proxyList the proxies' CPUs, as {@code --proxy-cpus} gave them
     * @param loadList the load's CPUs, or null for every allowed CPU the proxies do not have
     * @throws IllegalArgumentException saying what is wrong, naming the option
     */
    public static CpuLayout of(String proxyList, String loadList) {
        CpuSet allowed = CpuSet.allowedFor("self");
        CpuSet proxies = parse("--proxy-cpus", proxyList, allowed);
        CpuSet load = loadList == null ? allowed.minus(proxies) : parse("--load-cpus", loadList, allowed);
        if (load.isEmpty()) {
            throw new IllegalArgumentException("--proxy-cpus " + proxies + " leaves no CPU for the load generator and the backends"
                    + " (allowed here: " + allowed + "); name fewer CPUs, or give --load-cpus");
        }
        Path taskset = Programs.find("taskset").orElseThrow(() -> new IllegalArgumentException(
                "--proxy-cpus needs taskset (Debian package util-linux), which is not installed"));
        return new CpuLayout(proxies, load, taskset);
    }

    private static CpuSet parse(String option, String list, CpuSet allowed) {
        CpuSet cpus;
        try {
            cpus = CpuSet.parse(list);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage());
        }
        if (!allowed.containsAll(cpus)) {
            throw new IllegalArgumentException(option + " " + cpus + ": CPU " + cpus.minus(allowed)
                    + " is not one this process may use (allowed: " + allowed + ")");
        }
        return cpus;
    }

    /** {@code command}, started on the proxies' CPUs. */
    public List<String> onProxyCpus(List<String> command) {
        List<String> pinned = new ArrayList<>(List.of(taskset.toString(), "-c", proxies.toString()));
        pinned.addAll(command);
        return pinned;
    }

    /** Moves every thread of this JVM to the load's CPUs; threads and processes it starts later inherit them. */
    public void pinThisProcess() throws IOException, InterruptedException {
        String pid = Long.toString(ProcessHandle.current().pid());
        Process p = new ProcessBuilder(taskset.toString(), "-a", "-p", "-c", load.toString(), pid)
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("taskset could not move the load generator to CPUs " + load + ": " + output.strip());
        }
    }
}
