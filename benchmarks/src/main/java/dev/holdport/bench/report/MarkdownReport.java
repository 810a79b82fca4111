package dev.holdport.bench.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The human-readable results: machine, settings, the figures table (median of the rounds, ratio
 * to direct, holdport/HAProxy and its spread over the rounds), deploy-under-load and hold-capacity
 * tables, skips and errors.
 * The same text is printed at the end of a run and written to the .md results file.
 */
public final class MarkdownReport {

    private MarkdownReport() {}

    public static String render(Results results, String chartFile) {
        StringBuilder md = new StringBuilder();
        MachineInfo m = results.getMachine();
        md.append("# holdport benchmarks: ").append(results.date()).append(" on ").append(m.host()).append("\n\n");
        md.append("- Machine: ").append(m.cores()).append(" cores (").append(m.cpu()).append("), ").append(m.memory())
                .append(" memory, ").append(m.os()).append(", ").append(m.kernel()).append('\n');
        md.append("- JDK: ").append(m.jdk()).append('\n');
        m.tools().forEach((tool, version) -> md.append("- ").append(tool).append(": ").append(version).append('\n'));
        md.append("- Settings: ");
        List<String> settings = new ArrayList<>();
        results.getSettings().forEach((k, v) -> settings.add(k + " " + v));
        md.append(String.join(", ", settings)).append("\n\n");

        List<String> targets = results.getTargets();
        if (!results.getSkipped().isEmpty()) {
            md.append("Skipped:\n\n");
            results.getSkipped().forEach((what, why) -> md.append("- ").append(what).append(": ").append(why).append('\n'));
            md.append('\n');
        }
        figures(md, results, targets);
        deploy(md, results.getDeploy());
        hold(md, results.getHold());
        if (chartFile != null) {
            md.append("![latency percentiles per target and throughput relative to direct](").append(chartFile).append(")\n\n");
        }
        if (!results.getErrors().isEmpty()) {
            md.append("Errors:\n\n");
            results.getErrors().forEach(e -> md.append("- ").append(e).append('\n'));
            md.append('\n');
        }
        return md.toString();
    }

    private static void figures(StringBuilder md, Results results, List<String> targets) {
        if (results.getFigures().isEmpty()) {
            return;
        }
        boolean versus = targets.contains("holdport") && targets.contains("haproxy");
        md.append("## Throughput and latency\n\n");
        md.append("Median of the rounds; in parentheses the ratio to direct. Rates: higher is better; latencies: lower is better.");
        if (versus) {
            md.append(" \"per round\" is the range of holdport/haproxy taken within each round (the targets take turns")
                    .append(" in every round, so both ran close in time; for keep-alive latency and new connections, turns of a second);")
                    .append(" a range straddling 1.00 means the difference is within this machine's round-to-round noise.");
        }
        md.append("\n\n| figure |");
        targets.forEach(t -> md.append(' ').append(t).append(" |"));
        if (versus) {
            md.append(" holdport/haproxy | per round |");
        }
        md.append("\n|---|");
        targets.forEach(t -> md.append("---:|"));
        if (versus) {
            md.append("---:|---:|");
        }
        md.append('\n');
        for (Figure f : results.getFigures()) {
            md.append("| ").append(f.label()).append(", ").append(f.unit().display()).append(" |");
            for (String t : targets) {
                double median = f.median(t);
                md.append(' ').append(f.unit().format(median));
                if (!t.equals("direct") && !Double.isNaN(f.ratio(t, "direct"))) {
                    md.append(String.format(Locale.ROOT, " (%.2f)", f.ratio(t, "direct")));
                }
                md.append(" |");
            }
            if (versus) {
                double r = f.ratio("holdport", "haproxy");
                md.append(Double.isNaN(r) ? " – |" : String.format(Locale.ROOT, " %.2f |", r));
                md.append(' ').append(perRound(f, "holdport", "haproxy")).append(" |");
            }
            md.append('\n');
        }
        md.append('\n');
    }

    /**
     * The lowest and highest per-round ratio as "0.82–1.33" (one value if only one round pairs,
     * "–" if none), with "(4 of 5 rounds)" when fewer rounds pair than either target's median uses.
     */
    static String perRound(Figure f, String target, String reference) {
        Collection<Double> ratios = f.ratioByRound(target, reference).values();
        if (ratios.isEmpty()) {
            return "–";
        }
        String min = String.format(Locale.ROOT, "%.2f", Collections.min(ratios));
        String range = ratios.size() == 1 ? min : min + "–" + String.format(Locale.ROOT, "%.2f", Collections.max(ratios));
        int measured = Math.max(f.rounds().getOrDefault(target, List.of()).size(),
                f.rounds().getOrDefault(reference, List.of()).size());
        return ratios.size() < measured ? range + " (" + ratios.size() + " of " + measured + " rounds)" : range;
    }

    private static void deploy(StringBuilder md, List<DeployRow> rows) {
        if (rows.isEmpty()) {
            return;
        }
        md.append("## Deploy under load\n\n");
        md.append("New connection per request at a fixed rate while the backend process is stopped and restarted on the same port. ")
                .append("Latency of the answered requests started between the stop and 1 s (0.5 s with --quick) after the new process listened.\n\n");
        md.append("| way | round | requests | failed | refused | reset | closed | timeout | other | p99 ms | max ms | outage s |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (DeployRow r : rows) {
            Map<String, Long> f = r.failures();
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %d | %d | %d | %.1f | %.1f | %.2f |%n",
                    r.way(), r.round(), r.total(), r.failed(), f.getOrDefault("refused", 0L), f.getOrDefault("reset", 0L),
                    f.getOrDefault("closed", 0L), f.getOrDefault("timeout", 0L), f.getOrDefault("other", 0L),
                    r.windowP99Nanos() / 1e6, r.windowMaxNanos() / 1e6, r.outageSeconds()));
        }
        md.append('\n');
    }

    private static void hold(StringBuilder md, List<HoldRow> rows) {
        if (rows.isEmpty()) {
            return;
        }
        md.append("## Hold capacity (holdport)\n\n");
        md.append("Connections opened while paused, each with a 16-byte request waiting; then resume.");
        rows.stream().map(HoldRow::holdportClientLimit).filter(l -> l != null).findFirst().ifPresent(limit -> md.append(
                String.format(Locale.ROOT, " holdport's limit here is %,d client connections (from its open-file limit: each one"
                        + " also needs a backend socket once released); at it holdport stops accepting (a listener may first"
                        + " take one more batch from its backlog, so it can hold a few more), and further clients wait connected in the kernel's listen backlog, their request in the kernel,"
                        + " until holdport takes them after the resume.", limit)));
        md.append(" Memory per connection counts the connections holdport held itself.");
        if (rows.stream().filter(r -> r.skipped() == null).count() > 1) {
            md.append(" RSS growth is measured from each step's start: a later step starts in a holdport that kept memory"
                    + " from relaying the earlier step's connections, reuses it, and so shows less RSS per connection (even"
                    + " less than none); the heap figure, taken after full GCs, is not affected.");
        }
        md.append("\n\n");
        md.append("| connections | connected | held in holdport | waited in kernel backlog | RSS before → held"
                + " | RSS per conn held in holdport | heap per conn held in holdport | release until all answered | answered | failed |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (HoldRow r : rows) {
            if (r.skipped() != null) {
                md.append(String.format(Locale.ROOT, "| %,d | skipped: %s | | | | | | | | |%n", r.requested(), r.skipped()));
                continue;
            }
            md.append(String.format(Locale.ROOT, "| %,d | %,d | %,d | %,d | %.0f → %.0f MiB | %s | %s | %.2f s | %,d | %,d |%n",
                    r.requested(), r.connected(), r.heldByHoldport(), r.waitedInBacklog(),
                    r.rssBeforeBytes() / 1048576.0, r.rssHeldBytes() / 1048576.0,
                    bytes(r.rssBytesPerHeldConnection()), bytes(r.heapBytesPerHeldConnection()), r.releaseSeconds(),
                    r.answered(), r.failed()));
        }
        md.append('\n');
        for (HoldRow r : rows) {
            if (r.skipped() == null && r.clientProcesses() > 1) {
                md.append(String.format(Locale.ROOT, "The %,d step's clients ran in %d processes (the run and %d client shards,"
                        + " each from its own 127.0.0.x address), as one process may not open that many sockets here.%n",
                        r.requested(), r.clientProcesses(), r.clientProcesses() - 1));
            }
        }
        if (rows.stream().anyMatch(r -> r.skipped() == null && r.clientProcesses() > 1)) {
            md.append('\n');
        }
    }

    private static String bytes(double value) {
        if (Double.isNaN(value)) {
            return "–";
        }
        return value >= 10_240 ? String.format(Locale.ROOT, "%.1f KiB", value / 1024) : String.format(Locale.ROOT, "%.0f B", value);
    }
}
