package dev.holdport.bench.scenario;

import dev.holdport.bench.run.RunContext;
import dev.holdport.bench.target.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One round of a latency measurement in which the targets take turns of about a second each,
 * in an order that rotates every turn, instead of one whole window per target.
 *
 * <p>A tail percentile turns on a few slow milliseconds, and on a shared machine those come in
 * bursts of a second or two (another process, a neighbour on the host). With one 8-second window
 * per target a burst lands on whichever target was running; in turns of a second it falls on
 * all of them. The caller keeps what each turn measured (a histogram per target, counts, CPU).
 */
final class Turns {

    /** The longest turn. */
    static final Duration LONGEST = Duration.ofSeconds(1);

    /**
     * Unmeasured load at the start of each turn, before its measured {@code length}: a target has
     * sat idle while the others took their turns, and its first exchanges would otherwise be
     * measured against a parked process (64 keep-alive connections' first exchanges are 64 of
     * 10,000 samples a turn: enough to move a p99).
     */
    static final Duration LEAD_IN = Duration.ofMillis(50);

    /** Readies one target before the first turn (opens connections, warms up). */
    @FunctionalInterface
    interface Preparation {
        void prepare(Target target) throws Exception;
    }

    /** Measures one target for one turn of {@code length} and keeps the result. */
    @FunctionalInterface
    interface Turn {
        void take(Target target, Duration length) throws Exception;
    }

    private Turns() {}

    /** How many turns the measured time is cut into: turns of at most {@link #LONGEST}, at least one. */
    static int count(Duration measure) {
        return (int) Math.max(1, (measure.toNanos() + LONGEST.toNanos() - 1) / LONGEST.toNanos());
    }

    /**
     * Prepares every target, then cuts {@code measure} into turns and gives each target each turn
     * once. A target whose preparation or turn fails is recorded as an error of the run and drops
     * out of the round. Returns the targets that took every turn.
     */
    static List<Target> take(RunContext context, String scenario, int round, List<Target> targets, Duration measure,
                             Preparation preparation, Turn turn) throws InterruptedException {
        List<Target> taking = new ArrayList<>();
        context.progress(scenario, "warm-up, then turns", round);
        for (Target target : targets) {
            if (context.attempt(scenario, target, round, (who, r) -> preparation.prepare(who))) {
                taking.add(target);
            }
        }
        int turns = count(measure);
        Duration length = measure.dividedBy(turns);
        for (int t = 0; t < turns; t++) {
            for (Target target : rotated(taking, t)) {
                context.progress(scenario, target.name() + ", turn " + (t + 1) + "/" + turns, round);
                if (!context.attempt(scenario, target, round, (who, r) -> turn.take(who, length))) {
                    taking.remove(target);
                }
            }
        }
        return taking;
    }

    /** {@code list} started at index {@code by} (modulo its size) and wrapped around: who goes first rotates. */
    static <T> List<T> rotated(List<T> list, int by) {
        List<T> order = new ArrayList<>(list.size());
        for (int k = 0; k < list.size(); k++) {
            order.add(list.get((by + k) % list.size()));
        }
        return order;
    }
}
