package dev.holdport.bench.load;

/**
 * One line a client shard ({@code held-clients}) prints on its stdout for the run that started
 * it. In order:
 * <pre>
 * connected 15000 failed 0                                     all connects done
 * first-failure connect: ...                                   only if something failed
 * answered 15000 failed 0 last-answer-epoch-micros 1763750000123456   all answered or failed; then it exits
 * error opening held connections stalled after 812             gave up; then it exits
 * </pre>
 * Anything else on stdout is {@link Other} and ignored.
 */
public sealed interface ShardLine {

    /** The line as printed. */
    String text();

    /** Every connect has completed: {@code connected} are up, {@code failed} failed. */
    record Connected(int connected, int failed) implements ShardLine {
        @Override
        public String text() {
            return "connected " + connected + " failed " + failed;
        }
    }

    /** Every connected client has its answer or failed; failed counts the failed connects too. */
    record Answered(int answered, int failed, long lastAnswerEpochMicros) implements ShardLine {
        @Override
        public String text() {
            return "answered " + answered + " failed " + failed + " last-answer-epoch-micros " + lastAnswerEpochMicros;
        }
    }

    /** What went wrong first for one of its clients. */
    record FirstFailure(String description) implements ShardLine {
        @Override
        public String text() {
            return "first-failure " + oneLine(description);
        }
    }

    /** The shard gave up (its clients are closed as it exits). */
    record GaveUp(String reason) implements ShardLine {
        @Override
        public String text() {
            return "error " + oneLine(reason);
        }
    }

    /** A line that is none of the above. */
    record Other(String text) implements ShardLine {}

    static ShardLine parse(String line) {
        String[] words = line.strip().split(" ");
        try {
            if (words.length == 4 && words[0].equals("connected") && words[2].equals("failed")) {
                return new Connected(Integer.parseInt(words[1]), Integer.parseInt(words[3]));
            }
            if (words.length == 6 && words[0].equals("answered") && words[2].equals("failed")
                    && words[4].equals("last-answer-epoch-micros")) {
                return new Answered(Integer.parseInt(words[1]), Integer.parseInt(words[3]), Long.parseLong(words[5]));
            }
        } catch (NumberFormatException e) {
            return new Other(line);
        }
        if (line.startsWith("first-failure ")) {
            return new FirstFailure(line.substring("first-failure ".length()));
        }
        if (line.startsWith("error ")) {
            return new GaveUp(line.substring("error ".length()));
        }
        return new Other(line);
    }

    private static String oneLine(String text) {
        return String.valueOf(text).replaceAll("\\s+", " ").strip();
    }
}
