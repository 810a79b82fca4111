package dev.holdport.proxy;

import java.util.Map;

/**
 * Monotonic counters of one route since holdport started.
 *
 * <p>Accounting identity, once nothing is in flight:
 * {@code accepted == relayed + sum(closed.values())}, where in flight means held or connecting.
 *
 * @param accepted         client connections accepted
 * @param relayed          client connections joined to a backend connection
 * @param held             connections that were held (entered the hold queue)
 * @param released         held connections released by a resume (or forwarded on hold timeout)
 * @param abandoned        held connections whose client went away ({@code closed[abandoned]})
 * @param timedOut         held connections closed by {@code hold.timeout}
 * @param failed           connections closed because no backend connection could be made
 * @param closed           every connection closed without being relayed, by reason
 * @param bytesFromClients bytes relayed client to backend
 * @param bytesToClients   bytes relayed backend to client
 * @param pauses           pauses that changed the state (repeats do not count)
 * @param switches         changes of the active slot
 */
public record RouteTotals(
        long accepted,
        long relayed,
        long held,
        long released,
        long abandoned,
        long timedOut,
        long failed,
        Map<CloseReason, Long> closed,
        long bytesFromClients,
        long bytesToClients,
        long pauses,
        long switches) {

    public RouteTotals {
        closed = Map.copyOf(closed);
    }

    public long closedTotal() {
        return closed.values().stream().mapToLong(Long::longValue).sum();
    }
}
