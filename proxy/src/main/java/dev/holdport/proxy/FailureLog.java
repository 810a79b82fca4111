package dev.holdport.proxy;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * Logs a kind of failure at most once a second, with a count of what it left out, so that a dead
 * backend under load yields a readable log rather than one line per client.
 */
final class FailureLog {

    private static final long INTERVAL_NANOS = 1_000_000_000L;

    private final Logger log;
    private final AtomicLong nextAllowed = new AtomicLong(System.nanoTime());
    private final AtomicLong suppressed = new AtomicLong();

    FailureLog(Logger log) {
        this.log = log;
    }

    void warn(String message) {
        warn(() -> message);
    }

    /** The message is made only when it is logged: a failure may repeat very fast. */
    void warn(Supplier<String> message) {
        long now = System.nanoTime();
        long allowed = nextAllowed.get();
        if (now - allowed >= 0 && nextAllowed.compareAndSet(allowed, now + INTERVAL_NANOS)) {
            long left = suppressed.getAndSet(0);
            log.warn(left == 0 ? message.get() : message.get() + " (and " + left + " similar in the last second)");
        } else {
            suppressed.incrementAndGet();
        }
    }
}
