package dev.holdport.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The paced release keeps the configured rate, whatever it is (the pacer's clock is the caller's). */
class ReleasePaceTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void releasesTheRateASecondAfterTheFirstAtOnce() {
        for (int rate : new int[] {1, 50, 999, 1000, 1500, 1999, 2500, 100_000}) {
            ReleasePace pace = new ReleasePace(rate);
            assertThat(pace.dueBy(0)).as("rate %d at the resume", rate).isEqualTo(1);
            assertThat(pace.dueBy(SECOND)).as("rate %d after a second", rate).isEqualTo(1 + rate);
            assertThat(pace.dueBy(10 * SECOND)).as("rate %d after ten seconds", rate).isEqualTo(1 + 10L * rate);
        }
    }

    @Test
    void ticksAreOneConnectionsWorthOfTimeButNotUnderAMillisecond() {
        assertThat(new ReleasePace(50).tickNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
        assertThat(new ReleasePace(1000).tickNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(1));
        assertThat(new ReleasePace(1500).tickNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(1));
        // At 1,500 a second in 1 ms ticks, the ticks release 1 or 2 each, 1,500 a second in all.
        ReleasePace pace = new ReleasePace(1500);
        long released = 0;
        int most = 0;
        for (long tick = 0; tick <= 1000; tick++) {
            int now = (int) (pace.dueBy(tick * TimeUnit.MILLISECONDS.toNanos(1)) - released);
            most = Math.max(most, now);
            released += now;
        }
        assertThat(released).isEqualTo(1501);
        assertThat(most).isLessThanOrEqualTo(2);
    }

    @Test
    void hoursAtTheHighestRateDoNotOverflow() {
        ReleasePace pace = new ReleasePace(Integer.MAX_VALUE);
        assertThat(pace.dueBy(TimeUnit.HOURS.toNanos(100))).isPositive();
    }
}
