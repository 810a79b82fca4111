package dev.holdport.bench.scenario;

import dev.holdport.bench.process.Programs;
import dev.holdport.bench.run.RunContext;
import java.nio.file.Path;
import java.util.Optional;

/** One kind of measurement, run against the targets it applies to. */
public interface Scenario {

    /** The name used on the command line and in the results ("bulk", "keepalive", …). */
    String name();

    void run(RunContext context) throws InterruptedException;

    /**
     * The external program a scenario drives (wrk, iperf3), or empty after reporting the
     * scenario as skipped: a missing tool is said in the results, never silently dropped.
     */
    default Optional<Path> externalTool(RunContext context, String program) {
        Optional<Path> found = Programs.find(program);
        if (found.isEmpty()) {
            context.results().skip(name(), program + " is not installed (run benchmarks/setup.sh)");
            context.note(name() + ": skipped, " + program + " not installed");
        }
        return found;
    }
}
