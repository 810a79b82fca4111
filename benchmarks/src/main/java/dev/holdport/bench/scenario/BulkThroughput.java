package dev.holdport.bench.scenario;

import dev.holdport.bench.load.BulkDownload;
import dev.holdport.bench.report.Figure;
import dev.holdport.bench.report.Unit;
import dev.holdport.bench.run.RunContext;
import dev.holdport.bench.target.Route;

/** Scenario 1: bulk throughput over 1 and 8 streams, and bytes per CPU-second of the proxy. */
public final class BulkThroughput implements Scenario {

    @Override
    public String name() {
        return "bulk";
    }

    @Override
    public void run(RunContext context) throws InterruptedException {
        for (int streams : context.settings().bulkStreams()) {
            String label = "bulk " + streams + (streams == 1 ? " stream" : " streams");
            Figure rate = Figure.empty("bulk." + streams + ".rate", name(), label, Unit.BYTES_PER_SECOND, true);
            Figure perCpu = Figure.empty("bulk." + streams + ".per-cpu", name(), label + " per proxy CPU-second",
                    Unit.BYTES_PER_CPU_SECOND, true);
            context.eachRound(label, context.targets(), (target, round) -> {
                BulkDownload.Result result = BulkDownload.run(target.address(Route.BULK), streams,
                        context.settings().warmup(), context.settings().measure(), target.pid());
                context.results().add(rate, target.name(), round, result.bytesPerSecond());
                if (!Double.isNaN(result.bytesPerCpuSecond())) {
                    context.results().add(perCpu, target.name(), round, result.bytesPerCpuSecond());
                }
            });
        }
    }
}
