package dev.holdport.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class FigureTest {

    @Test
    void medianOfOddAndEvenRoundsAndRatioToReference() {
        Figure figure = Figure.empty("x.rps", "x", "x req/s", Unit.PER_SECOND, true);
        figure.add("direct", 1, 30);
        figure.add("direct", 2, 10);
        figure.add("direct", 3, 20);
        figure.add("haproxy", 1, 4);
        figure.add("haproxy", 2, 6);

        assertThat(figure.median("direct")).isEqualTo(20);
        assertThat(figure.median("haproxy")).isEqualTo(5);
        assertThat(figure.ratio("haproxy", "direct")).isEqualTo(0.25);
        assertThat(figure.median("nginx")).isNaN();
        assertThat(figure.ratio("nginx", "direct")).isNaN();
    }

    @Test
    void ratioByRoundPairsEachRoundWithTheSameRoundOfTheReference() {
        Figure figure = latency();
        figure.add("holdport", 1, 900);
        figure.add("haproxy", 1, 1000);
        figure.add("holdport", 2, 1200);
        figure.add("haproxy", 2, 800);

        assertThat(figure.ratioByRound("holdport", "haproxy")).containsExactly(entry(1, 0.9), entry(2, 1.5));
    }

    @Test
    void ratioByRoundSkipsARoundOneTargetIsMissing() {
        Figure figure = latency();
        // haproxy's round 2 failed, so its second value is round 3's: pairing by index would be wrong.
        figure.add("holdport", 1, 100);
        figure.add("haproxy", 1, 200);
        figure.add("holdport", 2, 999);
        figure.add("holdport", 3, 300);
        figure.add("haproxy", 3, 100);

        assertThat(figure.ratioByRound("holdport", "haproxy")).containsExactly(entry(1, 0.5), entry(3, 3.0));
        assertThat(figure.ratioByRound("holdport", "nginx")).isEmpty();
        assertThat(figure.ratioByRound("nginx", "haproxy")).isEmpty();
    }

    @Test
    void ratioByRoundLeavesOutAZeroReference() {
        Figure figure = latency();
        figure.add("holdport", 1, 5);
        figure.add("haproxy", 1, 0);
        figure.add("holdport", 2, 5);
        figure.add("haproxy", 2, 10);

        assertThat(figure.ratioByRound("holdport", "haproxy")).containsExactly(entry(2, 0.5));
    }

    @Test
    void jsonKeepsTheRawValuesAndAddsRoundNumbersAndPerRoundRatios() {
        Figure figure = latency();
        figure.add("holdport", 1, 900);
        figure.add("haproxy", 1, 1000);
        figure.add("holdport", 2, 1200);
        figure.add("haproxy", 3, 800);

        JsonNode json = new ObjectMapper().valueToTree(figure);

        assertThat(json.get("id").asText()).isEqualTo("x.p99");
        assertThat(json.get("unit").asText()).isEqualTo("NANOSECONDS");
        assertThat(json.get("higherIsBetter").asBoolean()).isFalse();
        assertThat(json.get("rounds").get("holdport").toString()).isEqualTo("[900.0,1200.0]");
        assertThat(json.get("roundNumbers").get("holdport").toString()).isEqualTo("[1,2]");
        assertThat(json.get("roundNumbers").get("haproxy").toString()).isEqualTo("[1,3]");
        assertThat(json.get("holdportToHaproxyByRound").toString()).isEqualTo("{\"1\":0.9}");
    }

    private static Figure latency() {
        return Figure.empty("x.p99", "x", "x latency p99", Unit.NANOSECONDS, false);
    }
}
