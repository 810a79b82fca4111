package dev.holdport.bench.report;

/**
 * One hold-capacity step (holdport only): connections opened while paused, how many holdport
 * held itself and how many waited in the kernel's listen backlog, what the held ones cost, and
 * how long the release took.
 *
 * @param requested          connections the step tried to open
 * @param connected          connections that were established (held by holdport or waiting in its backlog)
 * @param heldByHoldport     connections holdport had accepted and held (its held-connections gauge)
 * @param waitedInBacklog    connected but not accepted: they waited in the kernel's listen backlog,
 *                           past holdport's client-connection limit ({@code connected - heldByHoldport})
 * @param holdportClientLimit holdport's client-connection limit ({@code holdport_client_connections_limit}),
 *                           null if it reports none
 * @param clientProcesses    processes the clients ran in: the run itself, plus client shards when one
 *                           process may not open enough sockets
 * @param rssBeforeBytes     holdport's resident memory before the pause (after full GCs)
 * @param rssHeldBytes       its resident memory with every connection held (after full GCs)
 * @param rssBytesPerHeldConnection  growth of its resident memory per connection it held itself
 * @param heapBytesPerHeldConnection growth of its live heap (after a GC) per connection it held itself; NaN if unknown
 * @param releaseSeconds     from the resume call until the last client had its answer
 * @param answered           clients that got their answer
 * @param failed             clients that failed to connect or were closed without an answer
 * @param skipped            why the step did not run, or null
 */
public record HoldRow(int requested, int connected, int heldByHoldport, int waitedInBacklog, Integer holdportClientLimit,
                      int clientProcesses, long rssBeforeBytes, long rssHeldBytes, double rssBytesPerHeldConnection,
                      double heapBytesPerHeldConnection, double releaseSeconds, int answered, int failed, String skipped) {

    public static HoldRow skipped(int requested, String reason) {
        return new HoldRow(requested, 0, 0, 0, null, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN, 0, 0, reason);
    }
}
