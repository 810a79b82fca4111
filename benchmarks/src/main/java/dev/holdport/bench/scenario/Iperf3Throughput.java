package dev.holdport.bench.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdport.bench.process.ToolRun;
import dev.holdport.bench.report.Figure;
import dev.holdport.bench.report.Unit;
import dev.holdport.bench.run.RunContext;
import dev.holdport.bench.target.Route;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Throughput measured by iperf3 (client to server), a well-known external client, so our own
 * bulk generator's bias is ruled out. Its control and data connections share the server's port,
 * so each proxy carries it on one route.
 */
public final class Iperf3Throughput implements Scenario {

    @Override
    public String name() {
        return "iperf3";
    }

    @Override
    public void run(RunContext context) throws InterruptedException {
        Path iperf3 = externalTool(context, "iperf3").orElse(null);
        if (iperf3 == null) {
            return;
        }
        long seconds = Math.max(1, Math.round(context.settings().measure().toMillis() / 1000.0));
        long omit = Math.round(context.settings().warmup().toMillis() / 1000.0);
        for (int streams : context.settings().iperfStreams()) {
            String label = "iperf3 " + streams + (streams == 1 ? " stream" : " streams");
            Figure figure = Figure.empty("iperf3." + streams, name(), label, Unit.BYTES_PER_SECOND, true);
            context.eachRound(label, context.targets(), (target, round) -> {
                List<String> command = new ArrayList<>(List.of(iperf3.toString(), "-c", "127.0.0.1",
                        "-p", Integer.toString(target.port(Route.IPERF)), "-t", Long.toString(seconds),
                        "-P", Integer.toString(streams), "-J"));
                if (omit > 0) {
                    command.addAll(List.of("-O", Long.toString(omit)));
                }
                String json = ToolRun.run("iperf3-client", command, context.workDir(), context.pids(),
                        Duration.ofSeconds(seconds + omit + 30));
                context.results().add(figure, target.name(), round, receivedBytesPerSecond(json));
            });
        }
    }

    static double receivedBytesPerSecond(String json) throws java.io.IOException {
        JsonNode root = new ObjectMapper().readTree(json);
        if (root.has("error")) {
            throw new IllegalStateException("iperf3: " + root.get("error").asText());
        }
        JsonNode bits = root.path("end").path("sum_received").path("bits_per_second");
        if (!bits.isNumber()) {
            throw new IllegalStateException("iperf3 printed no end.sum_received.bits_per_second");
        }
        return bits.asDouble() / 8;
    }
}
