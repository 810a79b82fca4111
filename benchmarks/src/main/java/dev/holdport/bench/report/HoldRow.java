package dev.holdport.bench.report;

/**
 * One hold-capacity step (holdport only): connections held while paused, what they cost, and how
 * long their release took.
 *
 * @param requested         connections the step tried to hold
 * @param held              connections that were open and held
 * @param rssBeforeBytes    the process's resident memory before the pause (after full GCs)
 * @param rssHeldBytes      its resident memory with every connection held (after full GCs)
 * @param rssBytesPerConnection  growth of the process's resident memory per held connection
 * @param heapBytesPerConnection growth of the live heap (after a GC) per held connection; NaN if unknown
 * @param releaseSeconds    from the resume call until the last held client had its answer
 * @param answered          clients that got their answer
 * @param failed            clients that failed to connect or were closed without an answer
 * @param skipped           why the step did not run, or null
 */
public record HoldRow(int requested, int held, long rssBeforeBytes, long rssHeldBytes, double rssBytesPerConnection, double heapBytesPerConnection,
                      double releaseSeconds, int answered, int failed, String skipped) {

    public static HoldRow skipped(int requested, String reason) {
        return new HoldRow(requested, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN, 0, 0, reason);
    }
}
