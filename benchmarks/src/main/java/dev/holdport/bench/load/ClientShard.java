package dev.holdport.bench.load;

import dev.holdport.bench.BenchMain;
import dev.holdport.bench.process.ChildProcess;
import dev.holdport.bench.process.PidFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * One client shard as the run sees it: a child JVM running {@code held-clients} (same java, same
 * jar as this one) that opens its share of a hold step's connections and reports on its stdout
 * ({@link ShardLine}). It is registered in the run's {@link PidFile} like every child, and its
 * stdin stays open while the run wants it: it exits when that closes, also if the run dies.
 */
public final class ClientShard implements HeldClients {

    private final ChildProcess process;
    private final AtomicReference<ShardStatus> status = new AtomicReference<>(ShardStatus.STARTING);

    private ClientShard(ChildProcess process) {
        this.process = process;
    }

    /**
     * Starts a shard that opens {@code count} connections to {@code target} from {@code source}
     * and gives up after {@code deadline}; returns at once (see {@link #awaitConnected}).
     */
    public static ClientShard start(String name, InetSocketAddress target, int count, InetAddress source,
                                    Duration deadline, Path log, PidFile pids) {
        List<String> command = new ArrayList<>(javaCommand());
        command.addAll(List.of("held-clients",
                "--target", target.getAddress().getHostAddress() + ":" + target.getPort(),
                "--count", Integer.toString(count),
                "--source", source.getHostAddress(),
                "--deadline-seconds", Long.toString(Math.max(1, deadline.toSeconds()))));
        ClientShard shard = new ClientShard(ChildProcess.startReporting(name, command, log, pids));
        Thread reader = new Thread(shard::readReports, name + "-reports");
        reader.setDaemon(true);
        reader.start();
        return shard;
    }

    /**
     * This JVM's java and its own code: the benchmarks jar with {@code -jar} when running from it,
     * else (tests, IDE) this JVM's class path and the main class.
     */
    static List<String> javaCommand() {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-Dbench.transport=" + System.getProperty("bench.transport", "")));
        Path code = ownCode();
        if (Files.isRegularFile(code)) {
            command.addAll(List.of("-jar", code.toString()));
        } else {
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchMain.class.getName()));
        }
        return command;
    }

    private static Path ownCode() {
        try {
            return Path.of(ClientShard.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the benchmarks' own code", e);
        }
    }

    public String name() {
        return process.name();
    }

    public long pid() {
        return process.pid();
    }

    public ShardStatus status() {
        return status.get();
    }

    /**
     * Waits until the shard reports that every connect has completed.
     *
     * @throws IllegalStateException if it gives up, exits, or has not reported by {@code deadlineNanos}
     */
    public void awaitConnected(long deadlineNanos) {
        await(deadlineNanos, s -> s.phase() != ShardStatus.Phase.STARTING, "report its connections");
    }

    @Override
    public HeldCount count() {
        return status.get().count();
    }

    @Override
    public String firstFailure() {
        return status.get().firstFailure();
    }

    @Override
    public HeldCount awaitAnswers(Duration timeout) {
        await(System.nanoTime() + timeout.toNanos(), s -> s.phase() == ShardStatus.Phase.ANSWERED, "report its answers");
        return count();
    }

    private void await(long deadlineNanos, java.util.function.Predicate<ShardStatus> done, String what) {
        while (true) {
            ShardStatus now = status.get();
            if (done.test(now)) {
                return;
            }
            if (now.problem() != null) {
                throw new IllegalStateException("client shard " + name() + ": " + now.problem());
            }
            if (System.nanoTime() > deadlineNanos) {
                throw new IllegalStateException("client shard " + name() + " did not " + what + " in time; log: "
                        + process.log());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /** Ends the shard: closing its stdin asks it to exit; it is stopped by PID if it does not. */
    @Override
    public void close() {
        process.closeInput();
        try {
            if (process.awaitExit(Duration.ofSeconds(5)) != -1) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.stop();
    }

    /** The reader thread: applies each line the shard prints, then notes how its output ended. */
    private void readReports() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.output(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                ShardLine parsed = ShardLine.parse(line);
                status.updateAndGet(s -> s.after(parsed));
            }
        } catch (IOException e) {
            // the pipe broke: the process is gone; said below
        }
        String exit = "";
        try {
            int code = process.awaitExit(Duration.ofSeconds(10));
            exit = code == -1 ? " (still running)" : " (exit code " + code + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String how = "exited before reporting its answers" + exit + "; log: " + process.log();
        status.updateAndGet(s -> s.ended(how));
    }
}
