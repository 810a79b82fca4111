package dev.holdport.bench.load;

import java.util.List;

/**
 * Where a group of held clients stands: how many connected, got their answer or failed, and when
 * the last answer came. The clients of one hold step may run in several processes (client
 * shards); their counts add up with {@link #plus}.
 *
 * @param connected             connections that were established
 * @param answered              clients that got their answer
 * @param failed                clients that failed to connect or were closed without an answer
 * @param lastAnswerEpochMicros wall clock (µs since the epoch) of the last answer, 0 if none yet.
 *                              Wall clock, not {@link System#nanoTime()}: that is not comparable
 *                              across processes.
 */
public record HeldCount(int connected, int answered, int failed, long lastAnswerEpochMicros) {

    public static final HeldCount NONE = new HeldCount(0, 0, 0, 0);

    public HeldCount plus(HeldCount other) {
        return new HeldCount(connected + other.connected, answered + other.answered, failed + other.failed,
                Math.max(lastAnswerEpochMicros, other.lastAnswerEpochMicros));
    }

    public static HeldCount sum(List<HeldCount> counts) {
        return counts.stream().reduce(NONE, HeldCount::plus);
    }

    /** Seconds from {@code resumedEpochMicros} until the last answer; 0 if none came after it. */
    public double secondsAfter(long resumedEpochMicros) {
        return Math.max(0, lastAnswerEpochMicros - resumedEpochMicros) / 1e6;
    }

    /** The wall clock in microseconds since the epoch. */
    public static long nowEpochMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
