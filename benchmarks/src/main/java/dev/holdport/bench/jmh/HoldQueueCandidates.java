package dev.holdport.bench.jmh;

import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * The hold-queue designs under comparison:
 * <ul>
 *   <li>{@code locked-linked-hash-set}: a {@link LinkedHashSet} under a lock; O(1) everything,
 *       but hashing on every offer and remove.</li>
 *   <li>{@code concurrent-linked-deque}: lock-free {@link ConcurrentLinkedDeque}; O(1) offer and
 *       poll, but {@code remove} scans from the head: O(n) with a long queue.</li>
 *   <li>{@code locked-intrusive-list}: a doubly linked list threaded through the entries, under
 *       a lock; O(1) everything with no hashing and no allocation per offer.</li>
 * </ul>
 */
public final class HoldQueueCandidates {

    public static final String[] NAMES = {"locked-linked-hash-set", "concurrent-linked-deque", "locked-intrusive-list"};

    private HoldQueueCandidates() {}

    public static HoldQueueCandidate create(String name) {
        return switch (name) {
            case "locked-linked-hash-set" -> new LockedLinkedHashSet();
            case "concurrent-linked-deque" -> new ConcurrentDeque();
            case "locked-intrusive-list" -> new LockedIntrusiveList();
            default -> throw new IllegalArgumentException("unknown hold queue candidate: " + name);
        };
    }

    private static final class LockedLinkedHashSet implements HoldQueueCandidate {
        private final LinkedHashSet<HeldEntry> entries = new LinkedHashSet<>();

        @Override
        public synchronized void offer(HeldEntry entry) {
            entries.add(entry);
        }

        @Override
        public synchronized HeldEntry poll() {
            Iterator<HeldEntry> first = entries.iterator();
            if (!first.hasNext()) {
                return null;
            }
            HeldEntry entry = first.next();
            first.remove();
            return entry;
        }

        @Override
        public synchronized boolean remove(HeldEntry entry) {
            return entries.remove(entry);
        }
    }

    private static final class ConcurrentDeque implements HoldQueueCandidate {
        private final ConcurrentLinkedDeque<HeldEntry> entries = new ConcurrentLinkedDeque<>();

        @Override
        public void offer(HeldEntry entry) {
            entries.offerLast(entry);
        }

        @Override
        public HeldEntry poll() {
            return entries.pollFirst();
        }

        @Override
        public boolean remove(HeldEntry entry) {
            return entries.removeFirstOccurrence(entry);
        }
    }

    private static final class LockedIntrusiveList implements HoldQueueCandidate {
        private HeldEntry head;
        private HeldEntry tail;

        @Override
        public synchronized void offer(HeldEntry entry) {
            entry.previous = tail;
            entry.next = null;
            entry.linked = true;
            if (tail == null) {
                head = entry;
            } else {
                tail.next = entry;
            }
            tail = entry;
        }

        @Override
        public synchronized HeldEntry poll() {
            HeldEntry entry = head;
            if (entry != null) {
                unlink(entry);
            }
            return entry;
        }

        @Override
        public synchronized boolean remove(HeldEntry entry) {
            if (!entry.linked) {
                return false;
            }
            unlink(entry);
            return true;
        }

        private void unlink(HeldEntry entry) {
            if (entry.previous == null) {
                head = entry.next;
            } else {
                entry.previous.next = entry.next;
            }
            if (entry.next == null) {
                tail = entry.previous;
            } else {
                entry.next.previous = entry.previous;
            }
            entry.previous = null;
            entry.next = null;
            entry.linked = false;
        }
    }
}
