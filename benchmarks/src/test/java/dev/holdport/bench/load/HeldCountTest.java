package dev.holdport.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The clients of a step counted over the run's own connections and its client shards. */
class HeldCountTest {

    @Test
    void countsAddUpAndTheLastAnswerIsTheLatestOfAll() {
        HeldCount own = new HeldCount(15_000, 15_000, 0, 1_000_500_000L);
        HeldCount shard1 = new HeldCount(11_667, 11_666, 1, 1_002_250_000L);
        HeldCount shard2 = new HeldCount(11_667, 11_667, 0, 1_001_000_000L);
        HeldCount shard3 = new HeldCount(11_666, 11_666, 0, 0);

        HeldCount all = HeldCount.sum(List.of(own, shard1, shard2, shard3));

        assertThat(all).isEqualTo(new HeldCount(50_000, 49_999, 1, 1_002_250_000L));
        assertThat(HeldCount.sum(List.of())).isEqualTo(HeldCount.NONE);
    }

    @Test
    void releaseTimeIsFromTheResumeToTheLastAnswerAndNeverNegative() {
        HeldCount done = new HeldCount(10, 10, 0, 1_002_250_000L);
        assertThat(done.secondsAfter(1_000_000_000L)).isEqualTo(2.25);
        assertThat(done.secondsAfter(1_003_000_000L)).isZero();
        assertThat(HeldCount.NONE.secondsAfter(1_000_000_000L)).isZero();
    }

    @Test
    void theWallClockIsInMicroseconds() {
        long micros = HeldCount.nowEpochMicros();
        assertThat(micros / 1000).isCloseTo(System.currentTimeMillis(), org.assertj.core.api.Assertions.within(5_000L));
    }
}
