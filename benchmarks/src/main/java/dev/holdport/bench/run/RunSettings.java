package dev.holdport.bench.run;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How hard and how long a run measures. {@link #fullRun()} is what the committed results use;
 * {@link #quickRun()} is the smoke run inside the test suite (figures, not precision).
 */
public record RunSettings(
        boolean quick,
        int rounds,
        Duration warmup,
        Duration measure,
        int messageBytes,
        int keepAliveConnections,
        double keepAliveRate,
        int newConnectionConcurrency,
        List<Integer> bulkStreams,
        List<Integer> iperfStreams,
        int wrkThreads,
        int wrkConnections,
        List<Integer> holdSteps,
        Duration deployDown,
        double deployRate) {

    public static RunSettings fullRun() {
        return new RunSettings(false, 3, Duration.ofSeconds(2), Duration.ofSeconds(8), 64, 64, 10_000, 16,
                List.of(1, 8), List.of(1, 4), 2, 50, List.of(10_000, 50_000), Duration.ofSeconds(2), 500);
    }

    public static RunSettings quickRun() {
        return new RunSettings(true, 1, Duration.ofMillis(200), Duration.ofMillis(600), 64, 64, 5_000, 16,
                List.of(1, 8), List.of(1, 4), 2, 50, List.of(1_000), Duration.ofSeconds(1), 300);
    }

    public RunSettings withRounds(int newRounds) {
        return new RunSettings(quick, newRounds, warmup, measure, messageBytes, keepAliveConnections, keepAliveRate,
                newConnectionConcurrency, bulkStreams, iperfStreams, wrkThreads, wrkConnections, holdSteps, deployDown, deployRate);
    }

    public RunSettings withTiming(Duration newWarmup, Duration newMeasure) {
        return new RunSettings(quick, rounds, newWarmup, newMeasure, messageBytes, keepAliveConnections, keepAliveRate,
                newConnectionConcurrency, bulkStreams, iperfStreams, wrkThreads, wrkConnections, holdSteps, deployDown, deployRate);
    }

    public RunSettings withKeepAliveRate(double rate) {
        return new RunSettings(quick, rounds, warmup, measure, messageBytes, keepAliveConnections, rate,
                newConnectionConcurrency, bulkStreams, iperfStreams, wrkThreads, wrkConnections, holdSteps, deployDown, deployRate);
    }

    public RunSettings withHoldSteps(List<Integer> steps) {
        return new RunSettings(quick, rounds, warmup, measure, messageBytes, keepAliveConnections, keepAliveRate,
                newConnectionConcurrency, bulkStreams, iperfStreams, wrkThreads, wrkConnections, steps, deployDown, deployRate);
    }

    /** The settings as the results files state them. */
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mode", quick ? "quick" : "full");
        d.put("rounds", rounds);
        d.put("warm-up s", warmup.toMillis() / 1000.0);
        d.put("measured s", measure.toMillis() / 1000.0);
        d.put("message bytes", messageBytes);
        d.put("keep-alive connections", keepAliveConnections);
        d.put("keep-alive fixed rate req/s", keepAliveRate);
        d.put("new-connection concurrency", newConnectionConcurrency);
        d.put("wrk", wrkThreads + " threads, " + wrkConnections + " connections");
        d.put("deploy down s", deployDown.toMillis() / 1000.0);
        d.put("deploy rate req/s", deployRate);
        return d;
    }
}
