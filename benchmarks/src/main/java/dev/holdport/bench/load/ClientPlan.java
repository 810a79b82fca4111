package dev.holdport.bench.load;

import dev.holdport.bench.process.ProcessStats;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * How the clients of one hold step are spread over processes. A process may open only so many
 * files (its open-file limit, which may not be raisable), so a step that needs more sockets than
 * this process can have runs the rest in client shards: child JVMs ({@code held-clients}), each
 * from its own source address (127.0.0.2, 127.0.0.3, …), so each has the whole ephemeral port
 * range for itself.
 *
 * @param inProcess connections this process opens itself (from 127.0.0.1)
 * @param shards    connections of each client shard, in order; empty when the step fits here
 */
public record ClientPlan(int inProcess, List<Integer> shards) {

    /** Open files a process needs besides the held connections (jars, event loops, listeners). */
    public static final int FD_MARGIN = 1_000;
    /** Overrides the connections one process may open (tests, or trying shards at a small scale). */
    public static final String BUDGET_PROPERTY = "bench.client-fd-budget";
    /** Below this many connections per process, spreading over processes is not worth it. */
    static final int SMALLEST_SHARE = 1_000;
    /** Shards use 127.0.0.2 to 127.0.0.254. */
    static final int MOST_SHARDS = 253;

    public ClientPlan {
        shards = List.copyOf(shards);
    }

    /**
     * The plan for {@code count} connections when one process may open {@code budget}: all here
     * if they fit, else up to {@link HeldConnections#PER_SOURCE_ADDRESS} (and the budget) here
     * and the rest evenly over as few shards as that share allows.
     *
     * @throws IllegalArgumentException if the budget is too small to spread the step
     */
    public static ClientPlan of(int count, long budget) {
        if (count <= budget) {
            return new ClientPlan(count, List.of());
        }
        int share = (int) Math.min(budget, HeldConnections.PER_SOURCE_ADDRESS);
        if (share < SMALLEST_SHARE) {
            throw new IllegalArgumentException("needs " + count + " client sockets, and a process may open only about "
                    + Math.max(0, budget) + " here (ulimit -n, less " + FD_MARGIN + " for other files)");
        }
        int rest = count - share;
        int shardCount = (rest + share - 1) / share;
        if (shardCount > MOST_SHARDS) {
            throw new IllegalArgumentException("needs " + shardCount + " client processes of " + share
                    + " connections; at most " + MOST_SHARDS + " source addresses (127.0.0.2-254) are available");
        }
        List<Integer> shards = new ArrayList<>();
        for (int i = 0; i < shardCount; i++) {
            shards.add(rest / shardCount + (i < rest % shardCount ? 1 : 0));
        }
        return new ClientPlan(share, shards);
    }

    /**
     * The connections this process may open: its open-file limit less {@link #FD_MARGIN}, or
     * less if {@value #BUDGET_PROPERTY} says so. Client shards inherit the same limit.
     */
    public static long ownBudget() {
        long limit = ProcessStats.openFileLimit(ProcessHandle.current().pid()).orElse(Long.MAX_VALUE / 2);
        long budget = limit - FD_MARGIN;
        String forced = System.getProperty(BUDGET_PROPERTY, "").strip();
        if (!forced.isEmpty()) {
            try {
                budget = Math.min(budget, Long.parseLong(forced));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(BUDGET_PROPERTY + " must be a number of connections, not '" + forced + "'", e);
            }
        }
        return budget;
    }

    /** Processes the clients run in: this one and the shards. */
    public int processes() {
        return 1 + shards.size();
    }

    /** The source address of shard {@code index} (from 0): 127.0.0.2, 127.0.0.3, … */
    public static InetAddress shardSource(int index) {
        return HeldConnections.loopback(2 + index);
    }
}
