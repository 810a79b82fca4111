package dev.holdport.bench.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code held-clients} (internal): one client shard of the hold step, started by the run when a
 * step needs more sockets than one process may open. Opens its connections exactly as the run
 * does in-process ({@link HeldConnections}), reports on stdout ({@link ShardLine}) and exits once
 * every client has its answer or failed, at its deadline, or as soon as its stdin closes (the run
 * ended it, or died): it never outlives the run.
 */
@Command(name = "held-clients", hidden = true,
        description = "Internal: open held connections for the hold step and report on stdout.")
public final class HeldClientsCommand implements Callable<Integer> {

    /** Exit code when stdin closed before the clients were done. */
    static final int STOPPED = 3;

    @Option(names = "--target", required = true, description = "HOST:PORT to connect to")
    String target;

    @Option(names = "--count", required = true, description = "connections to open")
    int count;

    @Option(names = "--source", description = "source address to connect from (default: let the kernel choose)")
    String source;

    @Option(names = "--deadline-seconds", defaultValue = "600", description = "give up after this long (default: ${DEFAULT-VALUE})")
    long deadlineSeconds;

    @Option(names = "--threads", defaultValue = "1", description = "event-loop threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Override
    public Integer call() throws Exception {
        exitWhenInputCloses(System.in);
        // stdout carries the reports only: anything else that would print there (logging's own
        // status messages) goes to stderr, the shard's log.
        PrintStream out = System.out;
        System.setOut(System.err);
        long deadline = System.nanoTime() + Duration.ofSeconds(deadlineSeconds).toNanos();
        try (LoadClient client = new LoadClient(threads);
             HeldConnections held = HeldConnections.open(client, address(target), count,
                     source == null ? null : InetAddress.getByName(source), remaining(deadline))) {
            HeldCount connected = held.count();
            report(out, new ShardLine.Connected(connected.connected(), connected.failed()));
            if (held.firstFailure() != null) {
                report(out, new ShardLine.FirstFailure(held.firstFailure()));
            }
            boolean failureReported = held.firstFailure() != null;
            HeldCount done = held.awaitAnswers(remaining(deadline));
            if (!failureReported && held.firstFailure() != null) {
                report(out, new ShardLine.FirstFailure(held.firstFailure()));
            }
            report(out, new ShardLine.Answered(done.answered(), done.failed(), done.lastAnswerEpochMicros()));
            return 0;
        } catch (IllegalStateException | IOException e) {
            report(out, new ShardLine.GaveUp(e.getMessage()));
            return 1;
        }
    }

    private static void report(PrintStream out, ShardLine line) {
        out.println(line.text());
        out.flush();
    }

    private static Duration remaining(long deadlineNanos) {
        return Duration.ofNanos(Math.max(1, deadlineNanos - System.nanoTime()));
    }

    static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--target must be HOST:PORT, not '" + hostPort + "'");
        }
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    /** The run keeps our stdin open while it wants us; its end (closed, or the run died) ends us. */
    private static void exitWhenInputCloses(InputStream in) {
        Thread watcher = new Thread(() -> {
            try {
                while (in.read() != -1) {
                    // nothing is sent; only the end matters
                }
            } catch (IOException e) {
                // a broken pipe is an end too
            }
            System.exit(STOPPED);
        }, "stdin-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }
}
