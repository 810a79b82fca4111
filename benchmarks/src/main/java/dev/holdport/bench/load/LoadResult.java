package dev.holdport.bench.load;

import java.util.EnumMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one measurement window produced.
 *
 * @param completed exchanges answered in full whose send was (intended to be) inside the window
 * @param failures  exchanges that ended otherwise, by outcome
 * @param seconds   the window's length
 * @param latency   latency of the completed exchanges in nanoseconds
 */
public record LoadResult(long completed, Map<Outcome, Long> failures, double seconds, Histogram latency) {

    public LoadResult {
        failures = Map.copyOf(failures.isEmpty() ? new EnumMap<>(Outcome.class) : failures);
    }

    public double perSecond() {
        return completed / seconds;
    }

    public long failed() {
        return failures.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Both windows as one: counts and seconds added, latencies merged. */
    public LoadResult plus(LoadResult other) {
        Map<Outcome, Long> both = new EnumMap<>(Outcome.class);
        both.putAll(failures);
        other.failures.forEach((outcome, count) -> both.merge(outcome, count, Long::sum));
        Histogram merged = latency.copy();
        merged.add(other.latency);
        return new LoadResult(completed + other.completed, both, seconds + other.seconds, merged);
    }

    public double percentileNanos(double percentile) {
        return latency.getTotalCount() == 0 ? Double.NaN : latency.getValueAtPercentile(percentile);
    }
}
