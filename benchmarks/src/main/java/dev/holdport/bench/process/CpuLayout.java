package dev.holdport.bench.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

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
        if (proxies.overlaps(load)) {
            throw new IllegalArgumentException("--load-cpus " + load + " shares CPUs with --proxy-cpus " + proxies
                    + ": the point is to keep them apart");
        }
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

    /**
     * Moves every thread of this JVM to the load's CPUs; threads and processes it starts later
     * inherit them. {@code taskset -a} walks the threads one by one, so a thread that starts or
     * ends meanwhile (the JVM adds and retires compiler threads) can make it miss one or fail:
     * the threads are checked afterwards, and the walk repeated until they all agree.
     */
    public void pinThisProcess() throws IOException, InterruptedException {
        String pid = Long.toString(ProcessHandle.current().pid());
        List<String> strays = List.of();
        for (int attempt = 0; attempt < 5; attempt++) {
            Process p = new ProcessBuilder(taskset.toString(), "-a", "-p", "-c", load.toString(), pid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            strays = threadsElsewhere();
            if (strays.isEmpty()) {
                return;
            }
        }
        throw new IllegalStateException("taskset could not move the load generator to CPUs " + load
                + "; threads elsewhere: " + String.join(", ", strays));
    }

    private List<String> threadsElsewhere() throws IOException {
        List<String> strays = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                String tid = task.getFileName().toString();
                try {
                    CpuSet cpus = CpuSet.allowedFor("self/task/" + tid);
                    if (!cpus.equals(load)) {
                        strays.add(tid + " on " + cpus);
                    }
                } catch (UncheckedIOException e) {
                    // the thread ended meanwhile
                }
            }
        }
        return strays;
    }
}
