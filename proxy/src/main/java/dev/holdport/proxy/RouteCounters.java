package dev.holdport.proxy;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one route. Updated from every event loop without locks (LongAdder), read only
 * when a status is taken.
 */
final class RouteCounters {

    final LongAdder accepted = new LongAdder();
    final LongAdder relayed = new LongAdder();
    final LongAdder held = new LongAdder();
    final LongAdder released = new LongAdder();
    final LongAdder connecting = new LongAdder();
    final LongAdder bytesFromClients = new LongAdder();
    final LongAdder bytesToClients = new LongAdder();
    final LongAdder pauses = new LongAdder();
    final LongAdder switches = new LongAdder();
    private final LongAdder[] closed = new LongAdder[CloseReason.values().length];

    RouteCounters() {
        for (int i = 0; i < closed.length; i++) {
            closed[i] = new LongAdder();
        }
    }

    void closed(CloseReason reason) {
        closed[reason.ordinal()].increment();
    }

    long closedCount(CloseReason reason) {
        return closed[reason.ordinal()].sum();
    }

    RouteTotals totals() {
        Map<CloseReason, Long> byReason = new EnumMap<>(CloseReason.class);
        for (CloseReason reason : CloseReason.values()) {
            byReason.put(reason, closedCount(reason));
        }
        return new RouteTotals(
                accepted.sum(),
                relayed.sum(),
                held.sum(),
                released.sum(),
                closedCount(CloseReason.ABANDONED),
                closedCount(CloseReason.HOLD_TIMEOUT),
                closedCount(CloseReason.BACKEND_UNAVAILABLE) + closedCount(CloseReason.BACKEND_TIMEOUT),
                byReason,
                bytesFromClients.sum(),
                bytesToClients.sum(),
                pauses.sum(),
                switches.sum());
    }
}
