package dev.holdport.bench.scenario;

import dev.holdport.bench.process.ToolRun;
import dev.holdport.bench.report.Figure;
import dev.holdport.bench.report.Unit;
import dev.holdport.bench.run.RunContext;
import dev.holdport.bench.run.RunSettings;
import dev.holdport.bench.target.Route;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP measured by wrk, a well-known external client, against the 128-byte-file HTTP backend:
 * keep-alive requests per second with wrk's latency percentiles, and requests per second with a
 * new connection per request ({@code Connection: close}), which cross-checks our own
 * new-connection generator.
 */
public final class WrkHttp implements Scenario {

    private static final Figure RATE = Figure.empty("wrk.rps", "wrk", "wrk keep-alive req/s", Unit.PER_SECOND, true);
    private static final Figure P50 = Figure.empty("wrk.p50", "wrk", "wrk latency p50", Unit.NANOSECONDS, false);
    private static final Figure P99 = Figure.empty("wrk.p99", "wrk", "wrk latency p99", Unit.NANOSECONDS, false);
    private static final Figure CLOSE_RATE = Figure.empty("wrk.close.rps", "wrk",
            "wrk new connection per request, req/s", Unit.PER_SECOND, true);

    private static final Pattern REQUESTS = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern PERCENTILE = Pattern.compile("(?m)^\\s+(50|99)%\\s+([\\d.]+)(us|ms|s)\\s*$");

    @Override
    public String name() {
        return "wrk";
    }

    @Override
    public void run(RunContext context) throws InterruptedException {
        Path wrk = externalTool(context, "wrk").orElse(null);
        if (wrk == null) {
            return;
        }
        RunSettings s = context.settings();
        long seconds = Math.max(1, Math.round(s.measure().toMillis() / 1000.0));
        long warmup = Math.round(s.warmup().toMillis() / 1000.0);
        context.eachRound(name(), context.targets(), (target, round) -> {
            String url = "http://127.0.0.1:" + target.port(Route.HTTP) + "/file";
            if (warmup > 0) {
                ToolRun.run("wrk", command(wrk, s, warmup, url, false), context.workDir(), context.pids(), Duration.ofSeconds(warmup + 30));
            }
            String out = ToolRun.run("wrk", command(wrk, s, seconds, url, false), context.workDir(), context.pids(),
                    Duration.ofSeconds(seconds + 30));
            context.results().add(RATE, target.name(), round, requestsPerSecond(out, false));
            Matcher p = PERCENTILE.matcher(out);
            while (p.find()) {
                double nanos = Double.parseDouble(p.group(2)) * switch (p.group(3)) {
                    case "us" -> 1e3;
                    case "ms" -> 1e6;
                    default -> 1e9;
                };
                context.results().add(p.group(1).equals("50") ? P50 : P99, target.name(), round, nanos);
            }
            String closing = ToolRun.run("wrk", command(wrk, s, seconds, url, true), context.workDir(), context.pids(),
                    Duration.ofSeconds(seconds + 30));
            context.results().add(CLOSE_RATE, target.name(), round, requestsPerSecond(closing, true));
        });
    }

    /**
     * wrk's rate, or a failure when wrk reports failed requests. With {@code Connection: close}
     * wrk counts the server's close after each answer as a "read" socket error (so does a
     * direct connection to the backend), so only connect, write and timeout errors count there.
     */
    static double requestsPerSecond(String out, boolean closeEach) {
        Matcher rate = REQUESTS.matcher(out);
        if (!rate.find()) {
            throw new IllegalStateException("wrk printed no Requests/sec: " + out.strip());
        }
        // wrk prints these lines only when something failed; a rate with failures in it is no
        // measurement of the proxy, so the round is reported as failed, with wrk's own words.
        Matcher errors = SOCKET_ERRORS.matcher(out);
        long socketErrors = 0;
        if (errors.find()) {
            for (int kind = 1; kind <= 4; kind++) {
                boolean readAfterClose = closeEach && kind == 2;
                socketErrors += readAfterClose ? 0 : Long.parseLong(errors.group(kind));
            }
        }
        if (socketErrors > 0 || out.contains("Non-2xx")) {
            throw new IllegalStateException("wrk saw errors: " + out.strip());
        }
        return Double.parseDouble(rate.group(1));
    }

    private static List<String> command(Path wrk, RunSettings s, long seconds, String url, boolean closeEach) {
        List<String> command = new java.util.ArrayList<>(List.of(wrk.toString(), "-t" + s.wrkThreads(),
                "-c" + s.wrkConnections(), "-d" + seconds + "s", "--latency"));
        if (closeEach) {
            command.addAll(List.of("-H", "Connection: close"));
        }
        command.add(url);
        return command;
    }
}
