package dev.holdport.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MarkdownReportTest {

    private static final Figure P99 = latency();

    @Test
    void perRoundShowsTheLowestAndHighestRatioOfTheRounds() {
        Figure figure = latency();
        double[] holdport = {820, 1330, 1000};
        double[] haproxy = {1000, 1000, 1000};
        for (int round = 1; round <= 3; round++) {
            figure.add("holdport", round, holdport[round - 1]);
            figure.add("haproxy", round, haproxy[round - 1]);
        }

        assertThat(MarkdownReport.perRound(figure, "holdport", "haproxy")).isEqualTo("0.82–1.33");
    }

    @Test
    void perRoundSaysHowManyRoundsPairedWhenATargetMissedOne() {
        Figure figure = latency();
        figure.add("holdport", 1, 900);
        figure.add("haproxy", 1, 1000);
        figure.add("holdport", 2, 1100);
        figure.add("holdport", 3, 1200);
        figure.add("haproxy", 3, 1000);

        assertThat(MarkdownReport.perRound(figure, "holdport", "haproxy")).isEqualTo("0.90–1.20 (2 of 3 rounds)");
    }

    @Test
    void perRoundOfOneRoundIsThatRatioAndOfNoneADash() {
        Figure figure = latency();
        figure.add("holdport", 1, 1050);
        figure.add("haproxy", 1, 1000);
        figure.add("direct", 1, 500);

        assertThat(MarkdownReport.perRound(figure, "holdport", "haproxy")).isEqualTo("1.05");
        assertThat(MarkdownReport.perRound(figure, "nginx", "haproxy")).isEqualTo("–");
    }

    @Test
    void tableHasThePerRoundColumnBesideTheMedianRatioAndTheIntroExplainsIt() {
        Results results = results("direct", "holdport", "haproxy");
        double[][] byRound = {{500, 820, 1000}, {500, 1330, 1000}, {500, 1000, 1000}};
        for (int round = 1; round <= 3; round++) {
            results.add(P99, "direct", round, byRound[round - 1][0] * 1000);
            results.add(P99, "holdport", round, byRound[round - 1][1] * 1000);
            results.add(P99, "haproxy", round, byRound[round - 1][2] * 1000);
        }

        String md = MarkdownReport.render(results, null);

        assertThat(md).contains("| figure | direct | holdport | haproxy | holdport/haproxy | per round |\n"
                + "|---|---:|---:|---:|---:|---:|\n"
                + "| x latency p99, µs | 500 | 1,000 (2.00) | 1,000 (2.00) | 1.00 | 0.82–1.33 |\n");
        assertThat(md).contains("\"per round\" is the range of holdport/haproxy taken within each round")
                .contains("a range straddling 1.00 means the difference is within this machine's round-to-round noise.");
    }

    @Test
    void withoutHaproxyNeitherRatioColumnNorItsExplanationAppears() {
        Results results = results("direct", "holdport");
        results.add(P99, "direct", 1, 500_000);
        results.add(P99, "holdport", 1, 1_000_000);

        String md = MarkdownReport.render(results, null);

        assertThat(md).contains("| figure | direct | holdport |\n|---|---:|---:|\n| x latency p99, µs | 500 | 1,000 (2.00) |\n")
                .doesNotContain("per round");
    }

    @Test
    void holdTableShowsWhatHoldportHeldAndWhatWaitedInTheBacklogAndSkippedSteps() {
        Results results = results("direct", "holdport");
        results.add(new HoldRow(10_000, 10_000, 9_744, 256, 9_744, 1, 216L << 20, 256L << 20, 4_300, 1_533, 1.1,
                10_000, 0, null));
        results.add(new HoldRow(50_000, 50_000, 9_744, 40_256, 9_744, 4, 216L << 20, 256L << 20, 4_300, 1_533, 4.25,
                50_000, 0, null));
        results.add(HoldRow.skipped(100_000, "90256 clients would wait in holdport's listen backlog"));

        String md = MarkdownReport.render(results, null);

        assertThat(md).contains("| connections | connected | held in holdport | waited in kernel backlog | RSS before → held"
                        + " | RSS per conn held in holdport | heap per conn held in holdport | release until all answered | answered | failed |\n"
                        + "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
                        + "| 10,000 | 10,000 | 9,744 | 256 | 216 → 256 MiB | 4300 B | 1533 B | 1.10 s | 10,000 | 0 |\n"
                        + "| 50,000 | 50,000 | 9,744 | 40,256 | 216 → 256 MiB | 4300 B | 1533 B | 4.25 s | 50,000 | 0 |\n"
                        + "| 100,000 | skipped: 90256 clients would wait in holdport's listen backlog | | | | | | | | |\n")
                .contains("holdport's limit here is 9,744 client connections")
                .contains("Memory per connection counts the connections holdport held itself.")
                .contains("a later step starts in a holdport that kept memory from relaying the earlier step's connections")
                .contains("The 50,000 step's clients ran in 4 processes (the run and 3 client shards")
                .doesNotContain("The 10,000 step's clients");
    }

    @Test
    void aHoldportWithoutAConnectionLimitGetsNoSentenceAboutIt() {
        Results results = results("direct", "holdport");
        results.add(new HoldRow(1_000, 1_000, 1_000, 0, null, 1, 200L << 20, 204L << 20, 4_194, Double.NaN, 0.2,
                1_000, 0, null));

        String md = MarkdownReport.render(results, null);

        assertThat(md).contains("| 1,000 | 1,000 | 1,000 | 0 | 200 → 204 MiB | 4194 B | – | 0.20 s | 1,000 | 0 |\n")
                .doesNotContain("limit here is").doesNotContain("client shards").doesNotContain("a later step");
    }

    private static Figure latency() {
        return Figure.empty("x.p99", "x", "x latency p99", Unit.NANOSECONDS, false);
    }

    private static Results results(String... targets) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("rounds", 3);
        Results results = new Results(new MachineInfo("test-host", 2, "cpu", "1 kB", "os", "kernel", "jdk", Map.of()), settings);
        List.of(targets).forEach(results::addTarget);
        return results;
    }
}
