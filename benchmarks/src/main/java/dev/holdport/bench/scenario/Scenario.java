package dev.holdport.bench.scenario;

import dev.holdport.bench.run.RunContext;

/** One kind of measurement, run against the targets it applies to. */
public interface Scenario {

    /** The name used on the command line and in the results ("bulk", "keepalive", …). */
    String name();

    void run(RunContext context) throws InterruptedException;
}
