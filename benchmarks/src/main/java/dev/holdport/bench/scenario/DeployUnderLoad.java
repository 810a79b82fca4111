package dev.holdport.bench.scenario;

import dev.holdport.bench.load.NewConnectionLoad;
import dev.holdport.bench.load.Outcome;
import dev.holdport.bench.report.DeployRow;
import dev.holdport.bench.run.BackendProcess;
import dev.holdport.bench.run.RunContext;
import dev.holdport.bench.run.RunSettings;
import dev.holdport.bench.target.HoldportTarget;
import dev.holdport.bench.target.Route;
import dev.holdport.bench.target.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Scenario 5: new-connection requests at a fixed rate while the backend process is stopped and,
 * after the down time, started again on the same port. Three ways: (a) direct, (b) HAProxy with
 * connect retries (its best setting for a restart in place), (c) holdport: pause, drain the live
 * relays, stop, start, resume (on the deploy route only). Failed requests are counted by kind; latency is taken over the outage window.
 */
public final class DeployUnderLoad implements Scenario {


    @Override
    public String name() {
        return "deploy";
    }

    @Override
    public void run(RunContext context) throws InterruptedException {
        List<Target> ways = new ArrayList<>();
        for (String name : List.of("direct", "haproxy", "holdport")) {
            context.target(name).ifPresentOrElse(ways::add,
                    () -> context.results().skip("deploy/" + name, name + " is not running (see skipped targets)"));
        }
        context.eachRound(name(), ways, (target, round) -> context.results().add(once(context, target, round)));
    }

    private static DeployRow once(RunContext context, Target target, int round) throws Exception {
        RunSettings s = context.settings();
        BackendProcess backend = context.deployBackend();
        HoldportTarget holdport = target instanceof HoldportTarget h ? h : null;
        // Load before the stop and after the restart, so the outage sits inside steady traffic,
        // plus room for the new backend JVM to start.
        Duration steady = s.quick() ? Duration.ofMillis(500) : Duration.ofSeconds(1);
        Duration startAllowance = s.quick() ? Duration.ofMillis(1500) : Duration.ofSeconds(3);
        Duration span = steady.plus(s.deployDown()).plus(startAllowance).plus(steady);
        List<NewConnectionLoad.Sample> samples = new ArrayList<>();
        NewConnectionLoad.Settings load = new NewConnectionLoad.Settings(target.address(Route.DEPLOY), 0,
                s.deployRate(), s.messageBytes(), Duration.ZERO, span, Duration.ofSeconds(10));
        CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
            try {
                NewConnectionLoad.run(context.client(), load, samples);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        });

        sleep(steady);
        long stopped = System.nanoTime();
        if (holdport != null) {
            // The documented restart in place: hold new connections, let live relays finish, stop.
            holdport.admin().pause(Route.DEPLOY);
            holdport.admin().drain(Route.DEPLOY, Duration.ofSeconds(5));
        }
        backend.stop();
        try {
            sleep(Duration.ofNanos(stopped + s.deployDown().toNanos() - System.nanoTime()));
        } finally {
            backend.start(); // whatever happened, the next round needs its backend
        }
        long listening = System.nanoTime();
        if (holdport != null) {
            holdport.admin().resume(Route.DEPLOY);
        }
        try {
            running.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("deploy load failed", e.getCause());
        }
        return row(way(target), round, samples, stopped, listening + steady.toNanos(), (listening - stopped) / 1e9);
    }

    static DeployRow row(String way, int round, List<NewConnectionLoad.Sample> samples, long windowStart,
                         long windowEnd, double outageSeconds) {
        Map<String, Long> failures = new TreeMap<>();
        Histogram window = new Histogram(60_000_000_000L, 3);
        for (NewConnectionLoad.Sample sample : samples) {
            if (sample.outcome() != Outcome.OK) {
                failures.merge(sample.outcome().name().toLowerCase(Locale.ROOT), 1L, Long::sum);
            }
            // Latency of the answered requests; the failed ones are counted above.
            if (sample.outcome() == Outcome.OK && sample.intendedNanos() >= windowStart && sample.intendedNanos() < windowEnd) {
                window.recordValue(Math.min(60_000_000_000L, Math.max(0, sample.latencyNanos())));
            }
        }
        boolean any = window.getTotalCount() > 0;
        return new DeployRow(way, round, samples.size(), failures,
                any ? window.getValueAtPercentile(99) : Double.NaN, any ? window.getMaxValue() : Double.NaN, outageSeconds);
    }

    private static String way(Target target) {
        return switch (target.name()) {
            case "haproxy" -> "haproxy (retries 60, timeout connect 100ms)";
            case "holdport" -> "holdport (pause, drain, restart, resume)";
            default -> target.name();
        };
    }

    private static void sleep(Duration duration) {
        long end = System.nanoTime() + duration.toNanos();
        for (long left = duration.toNanos(); left > 0; left = end - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }
}
