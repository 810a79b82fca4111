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
            // compilation, which a native peer never does. Both readings are taken when the load's
            // window opens and closes, on a thread of their own (within a millisecond of it).
            long opens = NewConnectionLoad.START_DELAY.plus(s.warmup()).toMillis();
            long closes = opens + s.measure().toMillis();
            CompletableFuture<Double> cpuAtOpen = cpuSecondsAfter(target, opens);
            CompletableFuture<Double> cpuAtClose = cpuSecondsAfter(target, closes);
            LoadResult result = NewConnectionLoad.run(context.client(), new NewConnectionLoad.Settings(
                    target.address(Route.ECHO), s.newConnectionConcurrency(), 0, s.messageBytes(),
                    s.warmup(), s.measure(), Duration.ofSeconds(10)));
            KeepAliveRequests.requireClean(result, "new connections");
            context.results().add(RATE, target.name(), round, result.perSecond());
            context.results().add(P50, target.name(), round, result.percentileNanos(50));
            context.results().add(P99, target.name(), round, result.percentileNanos(99));
            context.results().add(P999, target.name(), round, result.percentileNanos(99.9));
            if (cpuAtOpen != null) {
                double cpu = cpuAtClose.join() - cpuAtOpen.join();
                context.results().add(CPU, target.name(), round, cpu * 1e9 / result.completed());
            }
        });
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
