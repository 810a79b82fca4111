package dev.holdport.bench.scenario;

import dev.holdport.bench.load.LoadResult;
import dev.holdport.bench.load.NewConnectionLoad;
import dev.holdport.bench.process.ProcessStats;
import dev.holdport.bench.report.Figure;
import dev.holdport.bench.report.Unit;
import dev.holdport.bench.run.RunContext;
import dev.holdport.bench.run.RunSettings;
import dev.holdport.bench.target.Route;
import dev.holdport.bench.target.Target;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 3: a new connection per request (connect, one exchange, close), closed loop. The
 * targets take {@link Turns} of about a second; each target's turns add up to its figures for
 * the round (connections/s over the measured time, one latency histogram, CPU per connection).
 */
public final class NewConnectionRequests implements Scenario {

    private static final Figure RATE = Figure.empty("newconn.cps", "newconn", "new connections/s", Unit.PER_SECOND, true);
    private static final Figure P50 = Figure.empty("newconn.p50", "newconn", "new-connection latency p50", Unit.NANOSECONDS, false);
    private static final Figure P99 = Figure.empty("newconn.p99", "newconn", "new-connection latency p99", Unit.NANOSECONDS, false);
    private static final Figure CPU = Figure.empty("newconn.cpu", "newconn", "proxy CPU time per new connection", Unit.NANOSECONDS, false);
    private static final Figure P999 = Figure.empty("newconn.p999", "newconn", "new-connection latency p99.9", Unit.NANOSECONDS, false);

    @Override
    public String name() {
        return "newconn";
    }

    @Override
    public void run(RunContext context) throws InterruptedException {
        RunSettings s = context.settings();
        for (int round = 1; round <= s.rounds(); round++) {
            Map<Target, LoadResult> turns = new LinkedHashMap<>(); // a target's turns added up
            Map<Target, Double> cpuSeconds = new LinkedHashMap<>(); // NaN for direct (no process of its own)
            List<Target> measured = Turns.take(context, name(), round, context.targets(), s.measure(),
                    target -> {
                        if (!s.warmup().isZero()) {
                            KeepAliveRequests.requireClean(exchanges(context, target, Duration.ZERO, s.warmup()), "new connections warm-up");
                        }
                        cpuSeconds.put(target, 0.0);
                    },
                    (target, length) -> {
                        // CPU time of the proxy over the turn's window only, read on a thread of
                        // its own when the window opens and closes (within a millisecond of it).
                        long opens = NewConnectionLoad.START_DELAY.plus(Turns.LEAD_IN).toMillis();
                        CompletableFuture<Double> cpuAtOpen = cpuSecondsAfter(target, opens);
                        CompletableFuture<Double> cpuAtClose = cpuSecondsAfter(target, opens + length.toMillis());
                        LoadResult result = exchanges(context, target, Turns.LEAD_IN, length);
                        KeepAliveRequests.requireClean(result, "new connections");
                        turns.merge(target, result, LoadResult::plus);
                        cpuSeconds.merge(target, cpuAtOpen == null ? Double.NaN : cpuAtClose.join() - cpuAtOpen.join(), Double::sum);
                    });
            for (Target target : measured) {
                LoadResult all = turns.get(target);
                context.results().add(RATE, target.name(), round, all.perSecond());
                context.results().add(P50, target.name(), round, all.percentileNanos(50));
                context.results().add(P99, target.name(), round, all.percentileNanos(99));
                context.results().add(P999, target.name(), round, all.percentileNanos(99.9));
                double cpu = cpuSeconds.get(target);
                if (!Double.isNaN(cpu)) {
                    context.results().add(CPU, target.name(), round, cpu * 1e9 / all.completed());
                }
            }
        }
    }

    /**
     * Closed-loop exchanges: {@code leadIn} unmeasured (the target sat idle during the other
     * targets' turns; see {@link Turns#LEAD_IN}), then {@code length} measured.
     */
    private static LoadResult exchanges(RunContext context, Target target, Duration leadIn, Duration length)
            throws InterruptedException {
        RunSettings s = context.settings();
        return NewConnectionLoad.run(context.client(), new NewConnectionLoad.Settings(
                target.address(Route.ECHO), s.newConnectionConcurrency(), 0, s.messageBytes(),
                leadIn, length, Duration.ofSeconds(10)));
    }

    /** The proxy's CPU seconds read {@code millis} from now, or null for a target without a process (direct). */
    private static CompletableFuture<Double> cpuSecondsAfter(Target target, long millis) {
        if (target.pid().isEmpty()) {
            return null;
        }
        long pid = target.pid().getAsLong();
        return CompletableFuture.supplyAsync(() -> ProcessStats.cpuSeconds(pid),
                CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS));
    }
}
