package dev.holdport.admin.cli;

import dev.holdport.admin.HoldportProcess;
import dev.holdport.admin.Main;
import dev.holdport.admin.ShutdownSignals;
import dev.holdport.admin.StartFailure;
import dev.holdport.config.HoldportConfig;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Runs holdport: every route of the config file, and the admin API.",
            "SIGTERM or SIGINT stops it gracefully (live relays get holdport.shutdown.drain-timeout) and exits 0."
        })
public final class RunCommand implements Callable<Integer> {

    @Mixin
    ConfigFile config;

    @Option(names = "--take-over", paramLabel = "PID",
            description = {"Replace the holdport running as PID without refusing a connection: listen beside it on the"
                    + " same ports, stop it (SIGTERM, it finishes its live relays), then take the slot processes and"
                    + " the admin API. Refused while a route is paused."})
    Long takeOverPid;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        return config.loadThen(err, loaded -> serveUntilSignalled(loaded, takeOverPid, err, process -> {}, () -> {}));
    }

    /**
     * Starts holdport and serves until SIGTERM or SIGINT, which stop it and exit the JVM with 0.
     * Returns only when it could not start (2 for a configuration mistake, 1 otherwise), having
     * started nothing.
     *
     * @param predecessorPid the holdport to take over from, or null
     * @param started  runs once everything listens
     * @param stopped  runs after the graceful stop, before the exit
     */
    static int serveUntilSignalled(HoldportConfig config, Long predecessorPid, PrintWriter err,
            Consumer<HoldportProcess> started, Runnable stopped) {
        // A take-over may wait a long time for its predecessor, while already relaying: a signal
        // then stops it gracefully rather than ending the JVM under its connections.
        CompletableFuture<String> signalled = predecessorPid == null ? null : ShutdownSignals.rememberDuringStart();
        HoldportProcess process;
        try {
            process = HoldportProcess.start(config, predecessorPid,
                    signalled == null ? new CompletableFuture<>() : signalled);
        } catch (StartFailure e) {
            if (e.isStopRequested()) {
                return Main.OK;
            }
            err.println("holdport: " + e.getMessage());
            err.flush();
            return e.isConfigError() ? Main.USAGE : Main.REFUSED;
        }
        ShutdownSignals.install(() -> {
            process.shutdown();
            stopped.run();
        }, signalled);
        started.accept(process);
        // From here the signal handler's thread owns the end: it stops holdport and exits the
        // JVM with 0. This thread has nothing left to do but wait for that.
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Main.OK;
    }
}
