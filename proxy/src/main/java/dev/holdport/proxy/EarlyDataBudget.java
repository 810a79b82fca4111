package dev.holdport.proxy;

import io.netty.util.internal.PlatformDependent;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory that client bytes read past a connection's first read may take, summed over every
 * connection not relayed yet (held, or connecting to its slot). One per {@link Proxy}.
 *
 * <p>Before its relay starts a connection is read once (see {@link ClientConnection}). But on
 * io_uring, once the client's FIN has arrived, Netty reads the socket to its end whatever
 * auto-read says, so a client that sends a request and half-closes while held has all of it
 * (up to its receive window, 64–128 KiB by default) copied into holdport's direct memory for the
 * whole hold. Many such clients would exhaust the direct memory every connection reads into.
 * Past this budget, such a client is closed ({@link CloseReason#EARLY_DATA_LIMIT}), and only it.
 */
final class EarlyDataBudget {

    /** Overrides the budget, in bytes (tests, and hosts that want another bound). */
    static final String PROPERTY = "holdport.early-data-budget-bytes";
    private static final long MINIMUM = 16L << 20;

    private final long limit;
    private final AtomicLong left;

    EarlyDataBudget(long limit) {
        this.limit = limit;
        this.left = new AtomicLong(limit);
    }

    /** An eighth of the direct memory Netty may use (at least 16 MiB), unless {@value #PROPERTY} says otherwise. */
    static EarlyDataBudget fromSystem() {
        Long configured = Long.getLong(PROPERTY);
        if (configured != null && configured >= 0) {
            return new EarlyDataBudget(configured);
        }
        return new EarlyDataBudget(Math.max(MINIMUM, PlatformDependent.maxDirectMemory() / 8));
    }

    long limit() {
        return limit;
    }

    /** What is left now (all of it once no connection holds early data). */
    long left() {
        return left.get();
    }

    /** Takes {@code bytes} if that many are left; false (taking nothing) if not. */
    boolean take(long bytes) {
        long now;
        do {
            now = left.get();
            if (now < bytes) {
                return false;
            }
        } while (!left.compareAndSet(now, now - bytes));
        return true;
    }

    void giveBack(long bytes) {
        if (bytes > 0) {
            left.addAndGet(bytes);
        }
    }
}
