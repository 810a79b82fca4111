package dev.holdport.bench;

import dev.holdport.bench.backend.BackendCommand;
import dev.holdport.bench.load.HeldClientsCommand;
import dev.holdport.bench.run.RunCommand;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The benchmarks' entry point ({@code benchmarks/target/benchmarks.jar}):
 * {@code run} measures (what benchmarks/run.sh calls), {@code backend} is the backend process it
 * starts, {@code jmh [JMH options]} runs the JMH micro-benchmarks, and the hidden
 * {@code held-clients} is a client shard the hold step starts when one process may not open
 * enough sockets.
 */
@Command(name = "benchmarks", mixinStandardHelpOptions = true,
        description = "holdport benchmarks. Subcommands: run, backend, jmh [JMH options] (e.g. jmh -h).",
        subcommands = {RunCommand.class, BackendCommand.class, HeldClientsCommand.class})
public final class BenchMain {

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("jmh")) {
            org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }
}
