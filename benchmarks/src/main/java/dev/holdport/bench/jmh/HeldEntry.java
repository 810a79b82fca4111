package dev.holdport.bench.jmh;

/**
 * Stands in for a held connection in the hold-queue benchmarks. Carries the links an intrusive
 * list needs, so that candidate can remove it in O(1) without any lookup.
 */
public final class HeldEntry {
    HeldEntry previous;
    HeldEntry next;
    boolean linked;
}
