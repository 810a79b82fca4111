package dev.holdport.config;

import java.time.Duration;

/** Durations written as a config file writes them ({@code 90s}, {@code 5m}, {@code 1500ms}), so a reader recognises the setting. */
public final class ConfigDurations {

    private ConfigDurations() {}

    /** The largest unit that states the duration exactly: 90s stays 90s, 300s is 5m. */
    public static String format(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        if (duration.getNano() == 0) {
            long seconds = duration.getSeconds();
            long[] sizes = {86_400, 3_600, 60, 1};
            String[] names = {"d", "h", "m", "s"};
            for (int i = 0; i < sizes.length; i++) {
                if (seconds % sizes[i] == 0) {
                    return seconds / sizes[i] + names[i];
                }
            }
        }
        // Sub-second parts: a config duration fits in a long of nanoseconds (HOCON parses to nanos).
        long nanos = duration.toNanos();
        if (nanos % 1_000_000 == 0) {
            return nanos / 1_000_000 + "ms";
        }
        if (nanos % 1_000 == 0) {
            return nanos / 1_000 + "us";
        }
        return nanos + "ns";
    }
}
