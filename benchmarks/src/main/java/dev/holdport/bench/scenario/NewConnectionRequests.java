package dev.holdport.bench.scenario;

import dev.holdport.bench.load.LoadResult;
import dev.holdport.bench.load.NewConnectionLoad;
import dev.holdport.bench.process.ProcessStats;
import dev.holdport.bench.report.Figure;
import dev.holdport.bench.report.Unit;
import dev.holdport.bench.run.RunContext;
import dev.holdport.bench.run.RunSettings;
import dev.holdport.bench.target.Route;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Scenario 3: a new connection per request (connect, one exchange, close), closed loop. */
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
        context.eachRound(name(), context.targets(), (target, round) -> {
            // CPU time of the proxy over the measured window only: the warm-up pays for JIT
            // compilation, which a native peer never does. The load opens its window 10 ms after
            // it is started plus the warm-up; a reading taken then, on a thread of its own, is
            // within a millisecond of it.
            CompletableFuture<Double> cpuAtWindow = target.pid().isPresent()
                    ? CompletableFuture.supplyAsync(() -> ProcessStats.cpuSeconds(target.pid().getAsLong()),
                            CompletableFuture.delayedExecutor(s.warmup().toMillis() + 10, TimeUnit.MILLISECONDS))
                    : null;
            LoadResult result = NewConnectionLoad.run(context.client(), new NewConnectionLoad.Settings(
                    target.address(Route.ECHO), s.newConnectionConcurrency(), 0, s.messageBytes(),
                    s.warmup(), s.measure(), Duration.ofSeconds(10)));
            KeepAliveRequests.requireClean(result, "new connections");
            context.results().add(RATE, target.name(), result.perSecond());
            context.results().add(P50, target.name(), result.percentileNanos(50));
            context.results().add(P99, target.name(), result.percentileNanos(99));
            context.results().add(P999, target.name(), result.percentileNanos(99.9));
            if (cpuAtWindow != null) {
                double cpu = ProcessStats.cpuSeconds(target.pid().getAsLong()) - cpuAtWindow.join();
                context.results().add(CPU, target.name(), cpu * 1e9 / result.completed());
            }
        });
    }
}
