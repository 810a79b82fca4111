package dev.holdport.bench.scenario;

import dev.holdport.bench.load.ClientPlan;
import dev.holdport.bench.load.HeldClients;
import dev.holdport.bench.load.HeldCount;
import dev.holdport.bench.load.SpreadHeldClients;
import dev.holdport.bench.process.ProcessStats;
import dev.holdport.bench.process.Programs;
import dev.holdport.bench.report.HoldRow;
import dev.holdport.bench.run.RunContext;
import dev.holdport.bench.target.HoldportAdmin;
import dev.holdport.bench.target.HoldportTarget;
import dev.holdport.bench.target.Route;
import dev.holdport.proxy.Sysctl;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Scenario 4 (holdport only; no peer can hold): pause, open N connections that each wait with a
 * request, measure memory per held connection, resume, and time until every client has its
 * answer.
 *
 * <p>Open files are limited per process, and on some machines the limit cannot be raised. So the
 * clients of a step that needs more sockets than this process may open run partly in client
 * shards (child JVMs, see {@link ClientPlan}), and holdport holds only as many client connections
 * as its own open-file limit allows (it reports that limit): the rest wait, connected, in the
 * kernel's listen backlog of the route until holdport takes them after the resume. The report
 * shows both numbers; memory per connection counts the ones holdport held itself. A step that
 * cannot run here (too few open files for an older holdport, a backlog the kernel caps too low)
 * is reported as skipped, with the reason.
 */
public final class HoldCapacity implements Scenario {

    private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(120);
    /** Client shards give up by themselves after this, whatever happens to the run. */
    private static final Duration SHARD_DEADLINE = Duration.ofMinutes(10);
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
            try {
                String problem = clientProblem(count);
                if (problem == null) {
                    problem = holdportProblem(holdport, count);
                }
                if (problem != null) {
                    context.results().add(HoldRow.skipped(count, problem));
                    context.note("hold " + count + ": skipped, " + problem);
                    continue;
                }
                ClientPlan plan = ClientPlan.of(count, ClientPlan.ownBudget());
                if (plan.processes() > 1) {
                    context.note("hold " + count + ": " + plan.inProcess() + " connections from this process and "
                            + plan.shards() + " from client shards (one process may not open all)");
                }
                context.results().add(step(context, holdport, count, plan));
            } catch (IllegalStateException e) {
                context.results().error("hold " + count + " failed: " + e.getMessage());
                context.note("hold " + count + " failed: " + e.getMessage());
                resumeQuietly(holdport.admin());
            }
        }
    }

    private static HoldRow step(RunContext context, HoldportTarget holdport, int count, ClientPlan plan)
            throws InterruptedException {
        long pid = holdport.pid().getAsLong();
        HoldportAdmin admin = holdport.admin();
        OptionalDouble limit = admin.clientConnectionLimit();
        collectGarbage(pid);
        long rssBefore = ProcessStats.rssBytes(pid);
        OptionalDouble heapBefore = heap(admin);
        admin.pause();
        try (HeldClients held = SpreadHeldClients.open(context.client(), holdport.address(Route.ECHO), plan,
                OPEN_TIMEOUT, SHARD_DEADLINE, context.workDir(), context.pids())) {
            int connected = held.count().connected();
            int heldByHoldport = awaitAllHeld(admin, pid, connected, limit);
            collectGarbage(pid);
            long rssHeld = ProcessStats.rssBytes(pid);
            OptionalDouble heapHeld = heap(admin);
            double rssPerHeld = heldByHoldport > 0 ? (double) (rssHeld - rssBefore) / heldByHoldport : Double.NaN;
            double heapPerHeld = heapBefore.isPresent() && heapHeld.isPresent() && heldByHoldport > 0
                    ? (heapHeld.getAsDouble() - heapBefore.getAsDouble()) / heldByHoldport : Double.NaN;

            // Wall clock: the last answer may come from a client shard, and nanoTime is per process.
            long resumed = HeldCount.nowEpochMicros();
            admin.resume();
            HeldCount done = held.awaitAnswers(ANSWER_TIMEOUT);
            if (done.failed() > 0) {
                context.note("hold " + count + ": " + done.failed() + " clients failed; the first: " + held.firstFailure());
            }
            return new HoldRow(count, connected, heldByHoldport, connected - heldByHoldport,
                    limit.isPresent() ? (int) limit.getAsDouble() : null, plan.processes(), rssBefore, rssHeld,
                    rssPerHeld, heapPerHeld, done.secondsAfter(resumed), done.answered(), done.failed(), null);
        } finally {
            resumeQuietly(admin);
        }
    }

    /**
     * Waits until holdport holds every connection it will take: all connected ones, or as many as
     * its client-connection limit allows (the rest wait in the listen backlog). Reads its
     * held-connections gauge; a holdport that exposes none is waited for until its resident memory
     * stops growing. Bounded either way. Returns how many holdport holds.
     */
    private static int awaitAllHeld(HoldportAdmin admin, long pid, int connected, OptionalDouble limit) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        if (admin.heldConnections().isPresent()) {
            int expected = limit.isPresent() ? (int) Math.min(connected, limit.getAsDouble()) : connected;
            double held;
            while ((held = admin.heldConnections().orElse(0)) < expected) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("holdport reports " + (int) held + " held of " + expected
                            + " expected (" + connected + " connected"
                            + (limit.isPresent() ? ", its client-connection limit " + (int) limit.getAsDouble() : "")
                            + ") after 60 s");
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            // At its limit holdport stops accepting, but an accept burst under way (io_uring's
            // multishot accept) may still land some beyond it: wait until the count settles.
            double before;
            do {
                before = held;
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300));
                held = admin.heldConnections().orElse(0);
            } while (held != before && System.nanoTime() < deadline);
            return (int) held;
        }
        long previous = -1;
        long rss = ProcessStats.rssBytes(pid);
        while (rss != previous && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
            previous = rss;
            rss = ProcessStats.rssBytes(pid);
        }
        return connected;
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

    /** Why the clients of {@code count} connections cannot be spread over processes here, or null. */
    private static String clientProblem(int count) {
        try {
            ClientPlan.of(count, ClientPlan.ownBudget());
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /**
     * Why holdport cannot take {@code count} clients here, or null. A holdport with a
     * client-connection limit holds up to it and leaves the rest in the listen backlog, which the
     * kernel caps at net.core.somaxconn; an older one needs an open file per held connection.
     */
    static String holdportProblem(HoldportTarget holdport, int count) {
        OptionalDouble limit = holdport.admin().clientConnectionLimit();
        if (limit.isEmpty()) {
            long needed = (long) count + ClientPlan.FD_MARGIN;
            OptionalLong files = ProcessStats.openFileLimit(holdport.pid().getAsLong());
            if (files.isPresent() && files.getAsLong() < needed) {
                return "needs about " + needed + " open files in holdport, its limit here is " + files.getAsLong()
                        + " (ulimit -n; raise the hard limit to run this step)";
            }
            return null;
        }
        OptionalLong files = ProcessStats.openFileLimit(holdport.pid().getAsLong());
        if (files.isPresent() && 2L * count > files.getAsLong()) {
            // Past its limit holdport leaves clients in the backlog, but on resume io_uring takes a
            // whole backlog at once and relays each: two files per client (README, "Open files").
            return "releasing " + count + " clients needs about " + 2L * count + " open files in holdport (each client's"
                    + " socket and its backend's), its limit here is " + files.getAsLong()
                    + " (ulimit -n; raise the hard limit to run this step)";
        }
        return backlogProblem(count, (long) limit.getAsDouble(), Sysctl.somaxconn());
    }

    /** Why {@code count - limit} clients cannot wait in the hold route's listen backlog, or null. */
    static String backlogProblem(int count, long limit, OptionalInt somaxconn) {
        long waiting = count - limit;
        if (waiting <= 0) {
            return null;
        }
        if (waiting > HoldportTarget.HOLD_BACKLOG) {
            return waiting + " clients would wait in holdport's listen backlog (past its client-connection limit of "
                    + limit + "), more than its backlog of " + HoldportTarget.HOLD_BACKLOG;
        }
        if (somaxconn.isPresent() && waiting > somaxconn.getAsInt()) {
            return waiting + " clients would wait in holdport's listen backlog (past its client-connection limit of "
                    + limit + "), but the kernel caps backlogs at " + somaxconn.getAsInt()
                    + " (net.core.somaxconn; run.sh raises it to 65535 when run as root)";
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
