package dev.holdport.bench.scenario;

import dev.holdport.bench.load.KeepAliveLoad;
import dev.holdport.bench.load.LoadResult;
import dev.holdport.bench.report.Figure;
import dev.holdport.bench.report.Unit;
import dev.holdport.bench.run.RunContext;
import dev.holdport.bench.run.RunSettings;
import dev.holdport.bench.target.Route;

/**
 * Scenario 2: request/response on 64 keep-alive connections. Two passes per target and round:
 * closed loop for the highest request rate, then a fixed rate (the same for every target) for
 * latency percentiles corrected for coordinated omission.
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
        context.eachRound(name(), context.targets(), (target, round) -> {
            LoadResult closed = KeepAliveLoad.run(context.client(), new KeepAliveLoad.Settings(target.address(Route.ECHO),
                    s.keepAliveConnections(), s.messageBytes(), s.warmup(), s.measure(), 0));
            requireClean(closed, "closed loop");
            context.results().add(RATE, target.name(), round, closed.perSecond());

            LoadResult paced = KeepAliveLoad.run(context.client(), new KeepAliveLoad.Settings(target.address(Route.ECHO),
                    s.keepAliveConnections(), s.messageBytes(), s.warmup(), s.measure(), s.keepAliveRate()));
            requireClean(paced, "fixed rate");
            context.results().add(p50, target.name(), round, paced.percentileNanos(50));
            context.results().add(p99, target.name(), round, paced.percentileNanos(99));
            context.results().add(p999, target.name(), round, paced.percentileNanos(99.9));
        });
    }

    /** A keep-alive exchange must never fail in steady state; if one does, the figure is void. */
    static void requireClean(LoadResult result, String pass) {
        if (result.failed() > 0 || result.completed() == 0) {
            throw new IllegalStateException(pass + ": " + result.completed() + " completed, failures " + result.failures());
        }
    }
}
