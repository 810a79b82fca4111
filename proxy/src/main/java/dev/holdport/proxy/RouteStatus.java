package dev.holdport.proxy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * An immutable snapshot of one route.
 *
 * @param route         the route's name
 * @param listen        the address its listener is bound to
 * @param state         OPEN or PAUSED
 * @param activeSlot    the slot new (and released) connections go to
 * @param pausedSince   when the current pause began, or null when open
 * @param slots         every slot, in config order
 * @param held          connections held now
 * @param oldestHeldAge how long the oldest held connection has waited (zero when none)
 * @param connecting    connections whose backend connection is being made now
 * @param totals        counters since start
 */
public record RouteStatus(
        String route,
        String listen,
        GateState state,
        String activeSlot,
        Instant pausedSince,
        List<SlotStatus> slots,
        int held,
        Duration oldestHeldAge,
        int connecting,
        RouteTotals totals) {

    public RouteStatus {
        slots = List.copyOf(slots);
    }

    public boolean paused() {
        return state == GateState.PAUSED;
    }

    /** Live relays to every slot. */
    public int liveRelays() {
        return slots.stream().mapToInt(SlotStatus::liveRelays).sum();
    }
}
