package dev.holdport.bench.load;

/**
 * What the run knows about one client shard, from the lines it has printed so far.
 *
 * @param phase        how far the shard has reported
 * @param count        its clients' count as last reported (answers are known only once ANSWERED)
 * @param firstFailure the first failure it reported, or null
 * @param problem      why it cannot finish (it gave up, or exited before reporting its answers), or null
 */
public record ShardStatus(Phase phase, HeldCount count, String firstFailure, String problem) {

    /** The shard's progress, in order. */
    public enum Phase {
        STARTING, CONNECTED, ANSWERED
    }

    public static final ShardStatus STARTING = new ShardStatus(Phase.STARTING, HeldCount.NONE, null, null);

    /** The status after the shard printed {@code line}. */
    public ShardStatus after(ShardLine line) {
        if (line instanceof ShardLine.Connected c) {
            return new ShardStatus(Phase.CONNECTED, new HeldCount(c.connected(), 0, c.failed(), 0), firstFailure, problem);
        }
        if (line instanceof ShardLine.Answered a) {
            return new ShardStatus(Phase.ANSWERED,
                    new HeldCount(count.connected(), a.answered(), a.failed(), a.lastAnswerEpochMicros()), firstFailure, problem);
        }
        if (line instanceof ShardLine.FirstFailure f) {
            return new ShardStatus(phase, count, firstFailure != null ? firstFailure : f.description(), problem);
        }
        if (line instanceof ShardLine.GaveUp g) {
            return withProblem(g.reason());
        }
        return this;
    }

    /** The status once the shard's output has ended: a problem unless it reported its answers. */
    public ShardStatus ended(String how) {
        return phase == Phase.ANSWERED ? this : withProblem(how);
    }

    /** True once nothing more will change: the answers are in, or it cannot finish. */
    public boolean finished() {
        return phase == Phase.ANSWERED || problem != null;
    }

    private ShardStatus withProblem(String reason) {
        return problem != null ? this : new ShardStatus(phase, count, firstFailure, reason);
    }
}
