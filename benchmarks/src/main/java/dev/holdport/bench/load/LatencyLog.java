package dev.holdport.bench.load;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Collects exchange outcomes from many event-loop threads: a latency histogram of the exchanges
 * that completed and counts of those that did not. Only exchanges whose (intended) send time is
 * inside the measurement window count, so warm-up and the tail after the window are left out.
 */
final class LatencyLog {

    /** Latencies above a minute are clamped; anything that slow is a failure in all but name. */
    private static final long MAX_NANOS = 60_000_000_000L;

    private final long windowStart;
    private final long windowEnd;
    private final Recorder recorder = new Recorder(MAX_NANOS, 3);
    private final LongAdder completed = new LongAdder();
    private final Map<Outcome, LongAdder> failures = new EnumMap<>(Outcome.class);

    LatencyLog(long windowStart, long windowEnd) {
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
        for (Outcome outcome : Outcome.values()) {
            failures.put(outcome, new LongAdder());
        }
    }

    boolean inWindow(long intendedNanos) {
        return intendedNanos >= windowStart && intendedNanos < windowEnd;
    }

    void record(long intendedNanos, long doneNanos, Outcome outcome) {
        if (!inWindow(intendedNanos)) {
            return;
        }
        if (outcome == Outcome.OK) {
            recorder.recordValue(Math.min(MAX_NANOS, Math.max(0, doneNanos - intendedNanos)));
            completed.increment();
        } else {
            failures.get(outcome).increment();
        }
    }

    /** An exchange that could not even start (its connection was already gone). */
    void failed(Outcome outcome) {
        failures.get(outcome).increment();
    }

    LoadResult result() {
        Map<Outcome, Long> failed = new EnumMap<>(Outcome.class);
        failures.forEach((outcome, count) -> {
            if (count.sum() > 0) {
                failed.put(outcome, count.sum());
            }
        });
        Histogram histogram = recorder.getIntervalHistogram();
        return new LoadResult(completed.sum(), failed, (windowEnd - windowStart) / 1e9, histogram);
    }
}
