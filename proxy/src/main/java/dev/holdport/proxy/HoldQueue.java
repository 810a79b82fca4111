package dev.holdport.proxy;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * The FIFO of connections held while a route is paused. Arrival order is kept, and a client that
 * goes away is removed in O(1) wherever it is in the queue (a {@link LinkedHashSet} gives both).
 *
 * <p>Not thread-safe: the {@link Gate} that owns it guards every call with its lock, so that
 * "is the gate open?" and "join the queue" are one atomic step.
 */
final class HoldQueue {

    private final LinkedHashSet<ClientConnection> queue = new LinkedHashSet<>();
    /**
     * Connections that came back from connecting to a refusing slot ({@link #returnToFront}),
     * in the order they came back; few, and ahead of the rest.
     */
    private final ArrayDeque<ClientConnection> returned = new ArrayDeque<>();

    void add(ClientConnection connection) {
        queue.add(connection);
    }

    /**
     * A connection that was admitted or released before everyone held now (it was connecting
     * when the route was paused) waits again: ahead of them, to keep the order of arrival.
     */
    void returnToFront(ClientConnection connection) {
        returned.addLast(connection);
    }

    /** The oldest held connection, removed; null when empty. */
    ClientConnection poll() {
        if (!returned.isEmpty()) {
            return returned.pollFirst();
        }
        Iterator<ClientConnection> it = queue.iterator();
        if (!it.hasNext()) {
            return null;
        }
        ClientConnection first = it.next();
        it.remove();
        return first;
    }

    ClientConnection peek() {
        if (!returned.isEmpty()) {
            return returned.peekFirst();
        }
        Iterator<ClientConnection> it = queue.iterator();
        return it.hasNext() ? it.next() : null;
    }

    /** Removes {@code connection}; false if it had already left the queue. */
    boolean remove(ClientConnection connection) {
        return queue.remove(connection) || (!returned.isEmpty() && returned.remove(connection));
    }

    int size() {
        return queue.size() + returned.size();
    }

    boolean isEmpty() {
        return queue.isEmpty() && returned.isEmpty();
    }
}
