package dev.holdport.bench.jmh;

/**
 * The operations a hold queue needs: accept appends ({@link #offer}), resume releases in
 * arrival order ({@link #poll}), and a client that gives up while held is taken out from
 * anywhere ({@link #remove}). Accepting and releasing run on different threads.
 *
 * <p>To measure the proxy's real queue, add an adapter implementing this interface and a case
 * for it in {@link HoldQueueCandidates#create}; the benchmark then compares it with the others.
 */
public interface HoldQueueCandidate {

    void offer(HeldEntry entry);

    /** The oldest entry, removed; null if empty. */
    HeldEntry poll();

    /** Removes {@code entry} if still queued; true if it was. */
    boolean remove(HeldEntry entry);
}
