package dev.holdport.proxy;

import dev.holdport.config.HoldportConfig;
import dev.holdport.config.RouteConfig;
import java.lang.management.ManagementFactory;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The most client connections the process keeps open at once, over all routes, so that it never
 * runs out of file descriptors. Out of them, it could not accept, could not open a backend
 * socket for a released connection, and its admin API could not accept the {@code resume} that
 * would end a pause. Past the limit every listener stops accepting: new clients wait in the
 * kernel's listen backlog (connected from their side, never refused) and are accepted as
 * connections close.
 *
 * <p>The count changes on the event loops; only a crossing of the limit (and back below it, a
 * little lower so that a count hovering at the limit does not flip the listeners every time)
 * takes the lock and tells the listeners, through {@code onChange}.
 */
final class ConnectionLimit {

    private static final Logger log = LoggerFactory.getLogger(ConnectionLimit.class);

    /** Files the process needs besides client connections: jars, logs, event loops, admin API connections, slot processes' pipes. */
    static final int RESERVED_FILES = 256;
    /** NIO accepts at most 16 connections a read (Netty's default) and then looks at auto-read again. */
    static final int NIO_ACCEPT_BURST_PER_LISTENER = 16;

    private final int max;
    private final int acceptAgainAt;
    private final Runnable onChange;
    private final AtomicInteger open = new AtomicInteger();
    private final FailureLog fullLog = new FailureLog(log);
    private volatile boolean full;

    ConnectionLimit(int max, Runnable onChange) {
        this.max = Math.max(1, max);
        this.acceptAgainAt = this.max - Math.max(1, this.max / 64);
        this.onChange = onChange;
    }

    /** The configured limit, or the one the process's open-file limit allows; logs which. */
    static ConnectionLimit of(HoldportConfig config, boolean ioUring, int loops, Runnable onChange) {
        OptionalLong files = openFileLimit();
        // Two files for each connection the listeners may accept past the limit: one accepted
        // with the gate open is relayed at once.
        long burstFiles = 2 * acceptBurst(config, ioUring, loops, somaxconn());
        if (config.maxClientConnections() > 0) {
            int max = config.maxClientConnections();
            if (files.isPresent() && 2L * max + RESERVED_FILES + burstFiles > files.getAsLong()) {
                log.warn("max-client-connections = {}: at that many, this process may run out of file descriptors"
                        + " (open-file limit {}; each connection needs 2, {} are kept for the rest, and what the listeners"
                        + " may accept at once past the limit needs up to {})", max, files.getAsLong(), RESERVED_FILES, burstFiles);
            }
            log.info("at most {} client connections at once (max-client-connections); past that, new clients wait in the listen backlog", max);
            return new ConnectionLimit(max, onChange);
        }
        if (files.isEmpty()) {
            log.info("open-file limit unknown here: no limit on client connections");
            return new ConnectionLimit(Integer.MAX_VALUE, onChange);
        }
        long limit = files.getAsLong();
        // Never more than half the files for the burst: with many loops, routes or deep backlogs
        // the worst case (every backlog full as accepting resumes) could take them all.
        boolean burstCapped = burstFiles > limit / 2;
        long kept = RESERVED_FILES + (burstCapped ? limit / 2 : burstFiles);
        long derived = (limit - kept) / 2;
        int max = (int) Math.max(1, Math.min(Integer.MAX_VALUE, derived));
        if (burstCapped) {
            log.warn("the listen backlogs could hand this process up to {} connections at once past its limit, needing"
                    + " more than half its open-file limit ({}, ulimit -n): a flood that fills every backlog may run it out"
                    + " of files; raise the limit or lower the routes' backlog", burstFiles / 2, limit);
        }
        if (derived < 64) {
            log.warn("the open-file limit ({}, ulimit -n) leaves room for only {} client connections at once (each needs"
                    + " 2 files; {} are kept for accept bursts and the rest): raise the limit", limit, max, kept);
        } else {
            log.info("at most {} client connections at once (open-file limit {}, each needs 2 files, {} kept for accept"
                    + " bursts and the rest); past that, new clients wait in the listen backlog", max, limit, kept);
        }
        return new ConnectionLimit(max, onChange);
    }

    /**
     * How many connections the listeners can accept at once past the limit, before they are told
     * to stop. On io_uring, Netty's accept is multishot: once armed, the kernel accepts everything
     * waiting in the backlog in one go (past a full completion queue too, through its overflow
     * list), so it is every listener's backlog as the kernel caps it. On NIO, one read's worth
     * per listener.
     */
    static long acceptBurst(HoldportConfig config, boolean ioUring, int loops, int somaxconn) {
        long perLoop = 0;
        for (RouteConfig route : config.routes()) {
            int backlog = Math.min(route.backlog(), somaxconn);
            perLoop += ioUring ? backlog : Math.min(backlog, NIO_ACCEPT_BURST_PER_LISTENER);
        }
        return loops * perLoop;
    }

    /** The soft {@code RLIMIT_NOFILE} (which the JVM raises to the hard one at start), if the platform tells. */
    static OptionalLong openFileLimit() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            long max = unix.getMaxFileDescriptorCount();
            return max > 0 ? OptionalLong.of(max) : OptionalLong.empty();
        }
        return OptionalLong.empty();
    }

    /** The kernel's cap on a listen backlog; 4096 (Linux's default since 5.4) when unreadable. */
    static int somaxconn() {
        return Sysctl.somaxconn().orElse(4096);
    }

    int max() {
        return max;
    }

    int open() {
        return open.get();
    }

    /** True while listeners should not accept. */
    boolean full() {
        return full;
    }

    /** A client connection was accepted (on its event loop). */
    void opened() {
        if (open.incrementAndGet() >= max && !full) {
            update();
        }
    }

    /** A client connection closed (on its event loop). */
    void closed() {
        if (open.decrementAndGet() <= acceptAgainAt && full) {
            update();
        }
    }

    /**
     * Decides from the count as it is now, again after each change: a thread that saw a stale
     * {@code full} and skipped this call has already moved the count, so the re-read sees its
     * move (without it, a limit reached just as connections closed could stay "full" forever).
     */
    private synchronized void update() {
        while (true) {
            int n = open.get();
            boolean shouldBeFull = full ? n > acceptAgainAt : n >= max;
            if (shouldBeFull == full) {
                return;
            }
            full = shouldBeFull;
            if (shouldBeFull) {
                fullLog.warn(() -> n + " client connections open, the limit (" + max + "): new clients wait in the listen backlog until some close");
            } else {
                log.debug("{} client connections open: accepting again", n);
            }
            onChange.run();
        }
    }
}
