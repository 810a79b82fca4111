package dev.holdport.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LoadResultTest {

    @Test
    void twoWindowsAddUpToOne() {
        Histogram first = new Histogram(3);
        first.recordValue(1_000);
        Histogram second = new Histogram(3);
        second.recordValue(3_000);
        second.recordValue(3_000);
        LoadResult both = new LoadResult(1, Map.of(Outcome.CLOSED, 1L), 1.0, first)
                .plus(new LoadResult(2, Map.of(Outcome.CLOSED, 2L), 0.5, second));
        assertThat(both.completed()).isEqualTo(3);
        assertThat(both.failures()).containsExactly(Map.entry(Outcome.CLOSED, 3L));
        assertThat(both.perSecond()).isEqualTo(2.0);
        assertThat(both.latency().getTotalCount()).isEqualTo(3);
        assertThat(first.getTotalCount()).as("the parts are left as they were").isEqualTo(1);
    }
}
