package dev.holdport.bench.scenario;

import dev.holdport.bench.load.HeldConnections;
import dev.holdport.bench.process.ProcessStats;
import dev.holdport.bench.process.Programs;
import dev.holdport.bench.report.HoldRow;
import dev.holdport.bench.run.RunContext;
import dev.holdport.bench.target.HoldportAdmin;
import dev.holdport.bench.target.HoldportTarget;
import dev.holdport.bench.target.Route;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Scenario 4 (holdport only; no peer can hold): pause, open N connections that each wait with a
 * request, measure memory per held connection, resume, and time until every client has its
 * answer. A step that needs more open files than this machine allows is reported as skipped.
 */
public final class HoldCapacity implements Scenario {

    /** Open files a process needs besides the held connections (listeners, jars, event loops). */
    private static final int FD_MARGIN = 1_000;

    @Override
    public String name() {
        return "hold";
    }

    @Override
    public void run(RunContext context) throws InterruptedException {
        HoldportTarget holdport = context.holdport().orElse(null);
        if (holdport == null) {
            context.results().skip(name(), "holdport did not start, and only holdport can hold connections");
            return;
        }
        for (int count : context.settings().holdSteps()) {
            context.progress(name(), "holdport, " + count + " connections", 1);
            String tooMany = fileLimitProblem(holdport, count);
            if (tooMany != null) {
                context.results().add(HoldRow.skipped(count, tooMany));
                context.note("hold " + count + ": skipped, " + tooMany);
                continue;
            }
            try {
                context.results().add(step(context, holdport, count));
            } catch (IllegalStateException e) {
                context.results().error("hold " + count + " failed: " + e.getMessage());
                context.note("hold " + count + " failed: " + e.getMessage());
                resumeQuietly(holdport.admin());
            }
        }
    }

    private static HoldRow step(RunContext context, HoldportTarget holdport, int count) throws InterruptedException {
        long pid = holdport.pid().getAsLong();
        HoldportAdmin admin = holdport.admin();
        collectGarbage(pid);
        long rssBefore = ProcessStats.rssBytes(pid);
        OptionalDouble heapBefore = heap(admin);
        admin.pause();
        try (HeldConnections held = HeldConnections.open(context.client(), holdport.address(Route.ECHO), count,
                Duration.ofSeconds(120))) {
            awaitAllHeld(admin, pid, held.connected());
            collectGarbage(pid);
            long rssHeld = ProcessStats.rssBytes(pid);
            OptionalDouble heapHeld = heap(admin);
            int n = held.connected();
            double heapPerConnection = heapBefore.isPresent() && heapHeld.isPresent()
                    ? (heapHeld.getAsDouble() - heapBefore.getAsDouble()) / n : Double.NaN;

            long resumed = System.nanoTime();
            admin.resume();
            long lastAnswer = held.awaitAnswers(Duration.ofSeconds(120));
            return new HoldRow(count, n, rssBefore, rssHeld, (double) (rssHeld - rssBefore) / n, heapPerConnection,
                    (Math.max(lastAnswer, resumed) - resumed) / 1e9, held.answered(), held.failed(), null);
        } finally {
            resumeQuietly(admin);
        }
    }

    /**
     * Waits until holdport reports every connection held (its held-connections gauge), or, if it
     * exposes none, until its resident memory stops growing. Bounded either way.
     */
    private static void awaitAllHeld(HoldportAdmin admin, long pid, int connected) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        OptionalDouble gauge = admin.heldConnections();
        if (gauge.isPresent()) {
            while (admin.heldConnections().orElse(0) < connected) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("holdport reports " + admin.heldConnections().orElse(0)
                            + " held of " + connected + " connected after 60 s");
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            return;
        }
        long previous = -1;
        long rss = ProcessStats.rssBytes(pid);
        while (rss != previous && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
            previous = rss;
            rss = ProcessStats.rssBytes(pid);
        }
    }

    private static OptionalDouble heap(HoldportAdmin admin) {
        try {
            return admin.heapUsedBytes();
        } catch (IllegalStateException e) {
            return OptionalDouble.empty();
        }
    }

    /**
     * Two full GCs in holdport (jcmd GC.run), so heap figures count live objects, not garbage,
     * and the heap has settled its size before RSS is read.
     */
    private static void collectGarbage(long pid) throws InterruptedException {
        fullGc(pid);
        fullGc(pid);
    }

    private static void fullGc(long pid) throws InterruptedException {
        var jcmd = Programs.find("jcmd")
                .or(() -> java.util.Optional.of(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "jcmd")))
                .filter(java.nio.file.Files::isExecutable);
        if (jcmd.isEmpty()) {
            return;
        }
        try {
            Process gc = new ProcessBuilder(jcmd.get().toString(), Long.toString(pid), "GC.run")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!gc.waitFor(30, TimeUnit.SECONDS)) {
                gc.destroyForcibly();
            }
        } catch (java.io.IOException e) {
            // no GC: the heap figure then includes garbage; RSS is unaffected
        }
    }

    private static String fileLimitProblem(HoldportTarget holdport, int count) {
        long needed = (long) count + FD_MARGIN;
        OptionalLong proxyLimit = ProcessStats.openFileLimit(holdport.pid().getAsLong());
        OptionalLong ownLimit = ProcessStats.openFileLimit(ProcessHandle.current().pid());
        for (var limit : List.of(proxyLimit, ownLimit)) {
            if (limit.isPresent() && limit.getAsLong() < needed) {
                return "needs about " + needed + " open files per process, the limit here is " + limit.getAsLong()
                        + " (ulimit -n; raise the hard limit to run this step)";
            }
        }
        return null;
    }

    private static void resumeQuietly(HoldportAdmin admin) {
        try {
            admin.resume();
        } catch (IllegalStateException e) {
            // reported by the caller already
        }
    }
}
