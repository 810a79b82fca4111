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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Scenario 2: request/response on 64 keep-alive connections. Two passes per round: closed loop
 * for the highest request rate (each target in turn), then a fixed rate (the same for every
 * target) for latency percentiles corrected for coordinated omission.
 *
 * <p>The fixed-rate pass lets the targets take {@link Turns} of about a second each, their
 * connections kept open in between, and merges each target's turns into one histogram per round.
 */
public final class KeepAliveRequests implements Scenario {

    private static final Figure RATE = Figure.empty("keepalive.rps", "keepalive", "keep-alive req/s (closed loop)", Unit.PER_SECOND, true);

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

    /** One round of the fixed-rate pass: each target on its own open connections, in turns. */
    private Map<Target, Histogram> fixedRateInTurns(RunContext context, int round) throws InterruptedException {
        RunSettings s = context.settings();
        Map<Target, KeepAliveLoad.Connections> open = new HashMap<>();
        Map<Target, Histogram> latency = new LinkedHashMap<>();
        try {
            List<Target> measured = Turns.take(context, name() + " (fixed rate)", round, context.targets(), s.measure(),
                    target -> {
                        KeepAliveLoad.Connections connections = KeepAliveLoad.Connections.open(context.client(),
                                target.address(Route.ECHO), s.keepAliveConnections(), s.messageBytes());
                        try {
                            if (!s.warmup().isZero()) {
                                requireClean(connections.pass(Duration.ZERO, s.warmup(), s.keepAliveRate()), "fixed rate warm-up");
                            }
                        } catch (Exception e) {
                            connections.close(); // it drops out of the round
                            throw e;
                        }
                        open.put(target, connections);
                        latency.put(target, new Histogram(3));
                    },
                    (target, length) -> {
                        try {
                            LoadResult result = open.get(target).pass(Turns.LEAD_IN, length, s.keepAliveRate());
                            requireClean(result, "fixed rate");
                            latency.get(target).add(result.latency());
                        } catch (RuntimeException e) {
                            open.remove(target).close(); // it drops out of the round
                            throw e;
                        }
                    });
            latency.keySet().retainAll(measured);
        } finally {
            open.values().forEach(KeepAliveLoad.Connections::close);
        }
        return latency;
    }

    /** A keep-alive exchange must never fail in steady state; if one does, the figure is void. */
    static void requireClean(LoadResult result, String pass) {
        if (result.failed() > 0 || result.completed() == 0) {
            throw new IllegalStateException(pass + ": " + result.completed() + " completed, failures " + result.failures());
        }
    }
}
