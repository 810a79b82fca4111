package dev.holdport.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FigureTest {

    @Test
    void medianOfOddAndEvenRoundsAndRatioToReference() {
        Figure figure = Figure.empty("x.rps", "x", "x req/s", Unit.PER_SECOND, true);
        figure.add("direct", 30);
        figure.add("direct", 10);
        figure.add("direct", 20);
        figure.add("haproxy", 4);
        figure.add("haproxy", 6);

        assertThat(figure.median("direct")).isEqualTo(20);
        assertThat(figure.median("haproxy")).isEqualTo(5);
        assertThat(figure.ratio("haproxy", "direct")).isEqualTo(0.25);
        assertThat(figure.median("nginx")).isNaN();
        assertThat(figure.ratio("nginx", "direct")).isNaN();
    }
}
