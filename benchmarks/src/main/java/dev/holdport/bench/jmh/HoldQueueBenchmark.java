package dev.holdport.bench.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hold queue under contention: two threads at once, with {@code backlog} connections already
 * held. {@code acceptAndRelease}: append a new connection and release the oldest (the steady
 * state while resuming under load). {@code abandon}: append a connection and take it out again
 * at once (a client giving up while held), the case where a scan from the head costs O(backlog).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar jmh HoldQueueBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(2)
public class HoldQueueBenchmark {

    @Param({"locked-linked-hash-set", "concurrent-linked-deque", "locked-intrusive-list"})
    public String candidate;

    @Param({"100", "10000"})
    public int backlog;

    private HoldQueueCandidate queue;

    @Setup(Level.Iteration)
    public void fill() {
        queue = HoldQueueCandidates.create(candidate);
        for (int i = 0; i < backlog; i++) {
            queue.offer(new HeldEntry());
        }
    }

    @Benchmark
    public HeldEntry acceptAndRelease() {
        queue.offer(new HeldEntry());
        return queue.poll();
    }

    @Benchmark
    public boolean abandon() {
        HeldEntry entry = new HeldEntry();
        queue.offer(entry);
        return queue.remove(entry);
    }
}
