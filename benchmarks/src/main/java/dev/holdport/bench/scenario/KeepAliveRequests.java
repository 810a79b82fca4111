package dev.holdport.bench.scenario;

import dev.holdport.bench.load.KeepAliveLoad;
import dev.holdport.bench.load.LoadResult;
import dev.holdport.bench.report.Figure;
import dev.holdport.bench.report.Unit;
import dev.holdport.bench.run.RunContext;
import dev.holdport.bench.run.RunSettings;
import dev.holdport.bench.target.Route;
import dev.holdport.bench.target.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Scenario 2: request/response on 64 keep-alive connections. Two passes per round: closed loop
 * for the highest request rate (each target in turn), then a fixed rate (the same for every
 * target) for latency percentiles corrected for coordinated omission.
 *
 * <p>The fixed-rate pass takes its targets in turns of about a second each, their connections
 * kept open in between, and merges each target's turns into one histogram per round. A tail
 * percentile is decided by a few bad milliseconds; on a shared machine those come in bursts of
 * a second or two (another process, a neighbour on the host), and with one 8-second window per
 * target a burst lands on whichever target was running. Turns of a second spread it over all.
 */
public final class KeepAliveRequests implements Scenario {

    private static final Figure RATE = Figure.empty("keepalive.rps", "keepalive", "keep-alive req/s (closed loop)", Unit.PER_SECOND, true);

    /** The longest turn of one target in the fixed-rate pass. */
    static final Duration TURN = Duration.ofSeconds(1);

    @Override
    public String name() {
        return "keepalive";
    }

    @Override
    public void run(RunContext context) throws InterruptedException {
        RunSettings s = context.settings();
        String fixed = String.format(java.util.Locale.ROOT, "keep-alive latency at %,.0f req/s", s.keepAliveRate());
        Figure p50 = Figure.empty("keepalive.fixed.p50", name(), fixed + " p50", Unit.NANOSECONDS, false);
        Figure p99 = Figure.empty("keepalive.fixed.p99", name(), fixed + " p99", Unit.NANOSECONDS, false);
        Figure p999 = Figure.empty("keepalive.fixed.p999", name(), fixed + " p99.9", Unit.NANOSECONDS, false);
        for (int round = 1; round <= s.rounds(); round++) {
            context.eachTarget(name(), context.targets(), round, (target, r) -> {
                LoadResult closed = KeepAliveLoad.run(context.client(), new KeepAliveLoad.Settings(target.address(Route.ECHO),
                        s.keepAliveConnections(), s.messageBytes(), s.warmup(), s.measure(), 0));
                requireClean(closed, "closed loop");
                context.results().add(RATE, target.name(), r, closed.perSecond());
            });
            for (Map.Entry<Target, Histogram> measured : fixedRateInTurns(context, round).entrySet()) {
                String target = measured.getKey().name();
                Histogram histogram = measured.getValue();
                context.results().add(p50, target, round, histogram.getValueAtPercentile(50));
                context.results().add(p99, target, round, histogram.getValueAtPercentile(99));
                context.results().add(p999, target, round, histogram.getValueAtPercentile(99.9));
            }
        }
    }

    /**
     * One round of the fixed-rate pass: every target warmed up on its own connections, then the
     * measured time cut into turns, the targets taking them in an order that rotates every turn.
     * A target that fails is recorded as an error and drops out of the round.
     */
    private Map<Target, Histogram> fixedRateInTurns(RunContext context, int round) throws InterruptedException {
        RunSettings s = context.settings();
        Map<Target, KeepAliveLoad.Connections> open = new LinkedHashMap<>();
        Map<Target, Histogram> latency = new LinkedHashMap<>();
        try {
            context.progress(name(), "fixed rate: warm-up", round);
            for (Target target : context.targets()) {
                try {
                    KeepAliveLoad.Connections connections = KeepAliveLoad.Connections.open(context.client(),
                            target.address(Route.ECHO), s.keepAliveConnections(), s.messageBytes());
                    open.put(target, connections);
                    if (!s.warmup().isZero()) {
                        requireClean(connections.pass(Duration.ZERO, s.warmup(), s.keepAliveRate()), "fixed rate warm-up");
                    }
                    latency.put(target, new Histogram(3));
                } catch (RuntimeException e) {
                    drop(context, target, round, e, open);
                }
            }
            int turns = turns(s.measure());
            Duration turn = s.measure().dividedBy(turns);
            context.progress(name(), "fixed rate: targets in turns", round);
            for (int t = 0; t < turns; t++) {
                List<Target> order = new ArrayList<>(latency.keySet());
                for (int k = 0; k < order.size(); k++) {
                    Target target = order.get((t + k) % order.size());
                    try {
                        LoadResult result = open.get(target).pass(Duration.ZERO, turn, s.keepAliveRate());
                        requireClean(result, "fixed rate");
                        latency.get(target).add(result.latency());
                    } catch (RuntimeException e) {
                        latency.remove(target);
                        drop(context, target, round, e, open);
                    }
                }
            }
        } finally {
            open.values().forEach(KeepAliveLoad.Connections::close);
        }
        return latency;
    }

    /** How many turns the measured time is cut into: turns of at most {@link #TURN}, at least one. */
    static int turns(Duration measure) {
        return (int) Math.max(1, (measure.toNanos() + TURN.toNanos() - 1) / TURN.toNanos());
    }

    private void drop(RunContext context, Target target, int round, RuntimeException e,
                      Map<Target, KeepAliveLoad.Connections> open) {
        context.failed(name() + " (fixed rate)", target, round, e);
        KeepAliveLoad.Connections connections = open.remove(target);
        if (connections != null) {
            connections.close();
        }
    }

    /** A keep-alive exchange must never fail in steady state; if one does, the figure is void. */
    static void requireClean(LoadResult result, String pass) {
        if (result.failed() > 0 || result.completed() == 0) {
            throw new IllegalStateException(pass + ": " + result.completed() + " completed, failures " + result.failures());
        }
    }
}
