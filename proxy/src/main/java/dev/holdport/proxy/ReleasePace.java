package dev.holdport.proxy;

/**
 * The pace of a paced release ({@code resume.max-rate}): how many held connections may have been
 * released a given time after the resume. Counted from the resume rather than per tick, so a rate
 * that is not a whole number of connections per tick (1,500 a second in 1 ms ticks) is kept, and
 * ticks a busy loop ran late catch up.
 *
 * @param perSecond connections a second, at least 1
 */
record ReleasePace(int perSecond) {

    ReleasePace {
        if (perSecond < 1) {
            throw new IllegalArgumentException("perSecond " + perSecond + " < 1");
        }
    }

    /** How often the pacer runs: one connection's worth of time, but not under 1 ms. */
    long tickNanos() {
        return Math.max(1_000_000L, 1_000_000_000L / perSecond);
    }

    /** Released by {@code elapsedNanos} after the resume: the first at once, then {@code perSecond} a second. */
    long dueBy(long elapsedNanos) {
        // In double: elapsed nanoseconds times a rate would overflow a long after hours.
        return 1 + (long) (Math.max(0, elapsedNanos) / 1e9 * perSecond);
    }
}
