package dev.holdport.proxy;

import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A route's state — open or paused, the active slot — and its hold queue. Every change of state
 * and every admission of a new connection happens under one lock, which is what makes the
 * no-stranding invariant hold:
 *
 * <ul>
 *   <li>A new connection is sent straight to a backend only if, under the lock, the gate is open
 *       <em>and</em> the queue is empty; otherwise it joins the queue under the same lock. So a
 *       connection accepted at the instant of a resume either joins the queue before the resume
 *       empties it (and is released by it) or sees the gate open (and connects). It cannot fall
 *       between the two.</li>
 *   <li>While a paced release is still emptying the queue, newcomers join its tail rather than
 *       overtaking the connections that waited longer ({@code releasing}).</li>
 *   <li>The slot a connection goes to is read under the lock at the moment it leaves the queue,
 *       so it is always a slot that was active at its release; and it is counted in that slot's
 *       {@code live} under the same lock, so that a drain that follows sees it even before its
 *       event loop starts connecting.</li>
 *   <li>A connection leaves the queue exactly once: whoever removes it under the lock (release,
 *       hold timeout, abandonment, shutdown) owns its fate; the others find it gone.</li>
 * </ul>
 *
 * The lock is held only for these few field updates and queue operations, never for I/O.
 */
final class Gate {

    private static final Logger log = LoggerFactory.getLogger(Gate.class);

    /** What admission decided for a new connection. */
    record Admission(Slot connectTo, boolean held) {
        static final Admission HELD = new Admission(null, true);
        static final Admission SHUT_DOWN = new Admission(null, false);
    }

    /** A connection that left the queue, and the slot that was active when it did. */
    record Release(ClientConnection connection, Slot slot) {}

    private final Route route;
    private final Object lock = new Object();
    private final HoldQueue queue = new HoldQueue();

    // All guarded by lock.
    private boolean paused;
    private Slot active;
    private Instant pausedSince;
    /** The last pause's pausedSince, so that the next one begins strictly later. */
    private Instant lastPausedSince = Instant.EPOCH;
    private long pauseGeneration;
    private static final long ANY_PAUSE = -1;
    private ScheduledFuture<?> pauseExpiry;
    private boolean releasing;
    private ScheduledFuture<?> pacer;
    private ReleasePace pace;
    private long pacedSinceNanos;
    private long pacedReleased;
    private boolean acceptingSuspended;
    private boolean shutDown;

    Gate(Route route, Slot active, boolean paused) {
        this.route = route;
        this.active = active;
        if (paused) {
            synchronized (lock) {
                pauseLocked();
            }
        }
    }

    /** The route's listeners are bound, not accepting yet: start them unless holding is full. */
    void listenersBound() {
        synchronized (lock) {
            route.setAccepting(!acceptingSuspended);
        }
    }

    /** Called on the connection's event loop when it is accepted. */
    Admission admit(ClientConnection connection) {
        synchronized (lock) {
            if (shutDown) {
                return Admission.SHUT_DOWN;
            }
            if (!paused && queue.isEmpty()) {
                active.live.increment();
                connection.sentInPause = pauseGeneration;
                return new Admission(active, false);
            }
            queue.add(connection);
            route.counters.held.increment();
            if (queue.size() >= route.config.hold().maxConnections() && !acceptingSuspended) {
                acceptingSuspended = true;
                route.setAccepting(false);
                log.warn("route {}: {} connections held (hold.max-connections): new clients wait in the listen backlog",
                        route.name(), queue.size());
            }
            return Admission.HELD;
        }
    }

    /**
     * A connection whose slot refuses asks again, from its event loop, between retries: when the
     * route has been paused since it was sent there (crash masking, a deploy), it waits with the
     * held connections, ahead of them (it arrived first), rather than retrying a slot being
     * restarted until {@code retry-refused-for} gives up on it; when another slot has been made
     * active, it goes there. One sent during the current pause (forwarded by {@code hold.timeout})
     * keeps retrying: holding it again would let it loop between hold and slot for as long as the
     * pause lasts. Either way it leaves {@code current}'s live count and the connecting count here,
     * under the lock, so no status sees it twice.
     *
     * @return {@link Admission#HELD}, the admission to another slot (counted there), or null to
     *     keep retrying {@code current} (also once the gate is shut down: shutdown closes it)
     */
    Admission readmit(ClientConnection connection, Slot current) {
        synchronized (lock) {
            if (shutDown) {
                return null;
            }
            Admission again;
            if (paused && connection.sentInPause != pauseGeneration) {
                queue.returnToFront(connection);
                route.counters.held.increment();
                again = Admission.HELD;
            } else if (!paused && active != current) {
                active.live.increment();
                connection.sentInPause = pauseGeneration;
                again = new Admission(active, false);
            } else {
                return null;
            }
            current.live.decrement();
            route.counters.connecting.decrement();
            return again;
        }
    }

    /**
     * Takes a held connection out of the queue for its own reasons (client gone, hold timeout).
     *
     * @param forwarding whether the caller will connect it to the slot returned (then counted there)
     * @return the slot active now if the caller removed it and so owns it; null if a release or
     *     shutdown had already taken it
     */
    Slot removeHeld(ClientConnection connection, boolean forwarding) {
        synchronized (lock) {
            if (!queue.remove(connection)) {
                return null;
            }
            afterRemovalLocked();
            if (forwarding) {
                active.live.increment();
                connection.sentInPause = pauseGeneration;
            }
            return active;
        }
    }

    /** @return false, changing nothing, once the gate is shut down */
    boolean pause() {
        boolean changed;
        synchronized (lock) {
            if (shutDown) {
                return false;
            }
            changed = !paused;
            if (changed) {
                pauseLocked();
            }
        }
        if (changed) {
            log.info("route {}: paused; new connections are held", route.name());
            route.stateChanged();
        }
        return true;
    }

    private void pauseLocked() {
        paused = true;
        // Deploys and crash masking tell pauses apart by when they began (an operator's pause
        // after theirs ended is not theirs to resume), so no two pauses may share an instant.
        Instant now = Instant.now();
        pausedSince = now.isAfter(lastPausedSince) ? now : lastPausedSince.plusNanos(1);
        lastPausedSince = pausedSince;
        long generation = ++pauseGeneration;
        route.counters.pauses.increment();
        long maxMillis = route.config.pauseMaxDuration().toMillis();
        if (maxMillis > 0) {
            pauseExpiry = route.control().schedule(() -> expirePause(generation), maxMillis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The dead-man's switch: a pause nobody ended ends by itself. Not on the event loop the timer
     * fired on but on Netty's global executor thread: resuming saves the state file (an fsync)
     * and tells the route's listeners, which the relays on that loop must not wait for.
     */
    private void expirePause(long generation) {
        GlobalEventExecutor.INSTANCE.execute(() -> resume(null, generation));
    }

    /**
     * Resumes, first making {@code slot} active when it is not null.
     *
     * @return false, changing nothing, once the gate is shut down
     */
    boolean resume(Slot slot) {
        return resume(slot, ANY_PAUSE);
    }

    /** @param generation resume only while in this pause ({@link #pauseGeneration}), or {@link #ANY_PAUSE} */
    private boolean resume(Slot slot, long generation) {
        List<Release> batch = null;
        boolean changed = false;
        synchronized (lock) {
            if (shutDown) {
                return false;
            }
            if (generation != ANY_PAUSE) {
                if (!paused || generation != pauseGeneration) {
                    return true; // ended, or paused again since: not the pause that expired
                }
                log.warn("route {}: paused longer than pause.max-duration ({}): resuming by itself",
                        route.name(), route.config.pauseMaxDuration());
            }
            if (slot != null && slot != active) {
                switchLocked(slot);
                changed = true;
            }
            if (paused) {
                paused = false;
                pausedSince = null;
                if (pauseExpiry != null) {
                    pauseExpiry.cancel(false);
                    pauseExpiry = null;
                }
                changed = true;
            }
            if (!queue.isEmpty() && !releasing) {
                int rate = route.config.resumeMaxRate();
                if (rate <= 0) {
                    batch = drainLocked(Integer.MAX_VALUE);
                } else {
                    startPacerLocked(rate);
                }
            }
        }
        if (changed) {
            log.info("route {}: resumed to slot {}{}", route.name(), activeSlotName(),
                    batch == null ? "" : "; releasing " + batch.size() + " held connections");
            route.stateChanged();
        }
        dispatch(batch);
        return true;
    }

    /** @return false, changing nothing, once the gate is shut down */
    boolean switchTo(Slot slot) {
        boolean changed;
        synchronized (lock) {
            if (shutDown) {
                return false;
            }
            changed = slot != active;
            if (changed) {
                switchLocked(slot);
            }
        }
        if (changed) {
            log.info("route {}: switched to slot {}", route.name(), slot.name());
            route.stateChanged();
        }
        return true;
    }

    private void switchLocked(Slot slot) {
        active = slot;
        route.counters.switches.increment();
    }

    /**
     * Paced release: {@code rate} connections a second, in ticks of at least 1 ms. Newcomers keep
     * joining the queue's tail until it is empty, so the order of arrival is kept.
     */
    private void startPacerLocked(int rate) {
        releasing = true;
        pace = new ReleasePace(rate);
        pacedSinceNanos = System.nanoTime();
        pacedReleased = 0;
        pacer = route.control().scheduleAtFixedRate(this::releaseTick, 0, pace.tickNanos(), TimeUnit.NANOSECONDS);
    }

    private void releaseTick() {
        List<Release> batch;
        synchronized (lock) {
            if (!releasing) {
                return;
            }
            long due = pace.dueBy(System.nanoTime() - pacedSinceNanos) - pacedReleased;
            batch = paused || shutDown ? List.of() : drainLocked((int) Math.min(Integer.MAX_VALUE, due));
            pacedReleased += batch.size();
            if (paused || shutDown || queue.isEmpty()) {
                releasing = false;
                pacer.cancel(false);
                pacer = null;
            }
        }
        dispatch(batch);
    }

    private List<Release> drainLocked(int max) {
        List<Release> batch = new ArrayList<>(Math.min(max, queue.size()));
        ClientConnection next;
        while (batch.size() < max && (next = queue.poll()) != null) {
            next.sentInPause = pauseGeneration;
            batch.add(new Release(next, active));
        }
        active.live.add(batch.size());
        route.counters.released.add(batch.size());
        afterRemovalLocked();
        return batch;
    }

    private void afterRemovalLocked() {
        if (acceptingSuspended && queue.size() < route.config.hold().maxConnections()) {
            acceptingSuspended = false;
            route.setAccepting(true);
        }
    }

    private static void dispatch(List<Release> batch) {
        if (batch != null) {
            for (Release release : batch) {
                release.connection().release(release.slot());
            }
        }
    }

    /** No more admissions; every held connection is handed back to be closed. */
    List<ClientConnection> shutDown() {
        List<ClientConnection> held = new ArrayList<>();
        synchronized (lock) {
            shutDown = true;
            releasing = false;
            if (pacer != null) {
                pacer.cancel(false);
            }
            if (pauseExpiry != null) {
                pauseExpiry.cancel(false);
            }
            ClientConnection next;
            while ((next = queue.poll()) != null) {
                held.add(next);
            }
        }
        return held;
    }

    /** A consistent view of the gate for a status snapshot. */
    record View(boolean paused, Slot active, Instant pausedSince, int held, long oldestHeldSinceNanos) {}

    View view() {
        synchronized (lock) {
            ClientConnection oldest = queue.peek();
            return new View(paused, active, pausedSince, queue.size(), oldest == null ? 0 : oldest.heldSinceNanos());
        }
    }

    Slot active() {
        synchronized (lock) {
            return active;
        }
    }

    private String activeSlotName() {
        return active().name();
    }
}
