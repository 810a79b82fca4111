package dev.holdport.admin;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people type them in an API call or on the command line: {@code 30s},
 * {@code 500ms}, {@code 2m}, {@code 1h}, a plain number of seconds ({@code 30}, {@code 0.5}),
 * or ISO-8601 ({@code PT30S}).
 */
public final class DurationText {

    private static final Pattern NUMBER_AND_UNIT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

    private DurationText() {}

    /**
     * @throws IllegalArgumentException with a message fit to show the caller as it is
     */
    public static Duration parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.startsWith("pt")) {
            Duration d;
            try {
                d = requireNotNegative(Duration.parse(s.toUpperCase(Locale.ROOT)), text);
            } catch (DateTimeParseException e) {
                throw invalid(text);
            }
            try {
                d.toNanos(); // what every timer here counts in: beyond it (292 years) is no timeout
            } catch (ArithmeticException e) {
                throw tooLong(text);
            }
            return d;
        }
        Matcher m = NUMBER_AND_UNIT.matcher(s);
        if (!m.matches()) {
            throw invalid(text);
        }
        double amount = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double millis = switch (unit) {
            case "ms" -> amount;
            case "s" -> amount * 1_000;
            case "m" -> amount * 60_000;
            case "h" -> amount * 3_600_000;
            default -> throw invalid(text);
        };
        if (millis > Long.MAX_VALUE / 1_000_000) {
            throw tooLong(text);
        }
        return Duration.ofNanos(Math.round(millis * 1_000_000));
    }

    /** Seconds as a JSON number: the unit Prometheus and most tools expect. */
    public static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    /** Short human form for tables: {@code 850ms}, {@code 12.3s}, {@code 4m05s}. */
    public static String human(double seconds) {
        if (seconds < 1) {
            return Math.round(seconds * 1000) + "ms";
        }
        if (seconds < 60) {
            return String.format(Locale.ROOT, "%.1fs", seconds);
        }
        long whole = (long) seconds;
        if (whole < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", whole / 60, whole % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", whole / 3600, (whole % 3600) / 60);
    }

    private static Duration requireNotNegative(Duration d, String text) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("duration \"" + text + "\" is negative");
        }
        return d;
    }

    private static IllegalArgumentException tooLong(String text) {
        return new IllegalArgumentException("duration \"" + text + "\" is too long");
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException(
                "\"" + text + "\" is not a duration (examples: 30s, 500ms, 2m, 1h, 30)");
    }
}
