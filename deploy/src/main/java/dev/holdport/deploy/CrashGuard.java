package dev.holdport.deploy;

import dev.holdport.config.HostPort;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crash masking for one route. When the process of the route's active slot exits without
 * holdport having stopped it, the route is paused at once (new clients wait instead of failing),
 * the process is restarted with backoff until it is ready, and the route is resumed. The same
 * recovery serves the start-up rule: an active supervised slot on whose address nothing answers
 * when holdport starts is started before clients are let through.
 *
 * <p>A deploy outranks the guard: while one runs on the route the guard does nothing, and a
 * deploy that begins during a recovery ends it ({@link #standDown()}) and takes over the pause.
 * After a deploy the guard looks again at whatever slot is then active ({@link #afterDeploy}).
 * The one exception is a deploy whose rollback failed: after its last step it hands the route,
 * still paused, to the guard ({@link #takeOverFromFailedRollback}).
 * Only a pause the guard made itself (or took over) is resumed by it: a route an operator paused
 * stays paused.
 *
 * <p>Only the exit of a slot's <em>current</em> process counts: an exit reported late, once the
 * slot runs another process (a deploy or the guard replaced it), changes nothing. Exits holdport
 * caused by stopping a process are never reported here at all.
 */
final class CrashGuard {

    private static final Logger log = LoggerFactory.getLogger(CrashGuard.class);

    static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** How long the start-up rule tries to connect to the active slot's address before starting it. */
    private static final Duration PORT_IN_USE_PROBE = Duration.ofSeconds(1);

    private final SupervisedRoute route;
    private final Executor workers;
    private final Map<String, LongAdder> crashes = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> restarts = new ConcurrentHashMap<>();

    // Guarded by route's monitor.
    private long generation;
    private boolean recovering;
    private boolean pausedByGuard;
    private boolean closed;
    private CompletableFuture<ProcessExit> stoodDown = new CompletableFuture<>();
    /** A stop of a process that never became ready, done outside the lock; completed when none runs. */
    private CompletableFuture<Void> ownStop = CompletableFuture.completedFuture(null);

    CrashGuard(SupervisedRoute route, Executor workers) {
        this.route = route;
        this.workers = workers;
    }

    long crashes(String slot) {
        LongAdder n = crashes.get(slot);
        return n == null ? 0 : n.sum();
    }

    long restarts(String slot) {
        LongAdder n = restarts.get(slot);
        return n == null ? 0 : n.sum();
    }

    /** The start-up rule, once the slots' processes were adopted where possible. */
    void startUp() {
        String active = route.route.status().activeSlot();
        route.process(active).ifPresent(process -> {
            if (process.alive()) {
                return;
            }
            HostPort address = process.slot().address();
            if (ReadinessCheck.answers(address, PORT_IN_USE_PROBE)) {
                log.warn("route {}: slot {} has a start command, but something already answers on {} and no pid file"
                        + " names it: holdport leaves it alone (it will not restart it, nor stop it in a deploy)",
                        route.name(), active, address);
                return;
            }
            recover(process, "at start-up nothing answers on " + address, false);
        });
    }

    /** A supervised process exited without holdport stopping it (called off the reaper thread). */
    void exited(SlotProcess process, ProcessExit exit) {
        crashes.computeIfAbsent(process.name(), k -> new LongAdder()).increment();
        synchronized (route) {
            if (closed) {
                return;
            }
            if (!process.isCurrent(exit)) {
                // Reported after the slot got a new process (this callback runs on another thread
                // and may wait for the route's lock): the slot runs, nothing to mask.
                log.info("route {}: slot {}'s earlier process {} {}; the slot runs pid {} since: nothing to do",
                        route.name(), process.name(), exit.pid(), exit.describe(),
                        process.pid().isPresent() ? Long.toString(process.pid().getAsLong()) : "-");
                return;
            }
            DeployRun deploy = route.running();
            boolean active = route.route.status().activeSlot().equals(process.name());
            if (deploy != null) {
                if (active && !route.route.status().paused()) {
                    // The deploy decides what runs, but new clients wait rather than fail meanwhile.
                    route.route.pause();
                    deploy.resumeAtEnd();
                    log.warn("route {}: active slot {}'s process {} during deploy {}: new connections are held"
                            + " until the deploy ends", route.name(), process.name(), exit.describe(), deploy.id());
                } else {
                    log.info("route {}: slot {}'s process {} during deploy {}: the deploy handles it",
                            route.name(), process.name(), exit.describe(), deploy.id());
                }
                return;
            }
            if (!active) {
                log.info("route {}: slot {} is not active: not restarting its process", route.name(), process.name());
                return;
            }
            recover(process, "pid " + exit.pid() + " " + exit.describe(), true);
        }
    }

    /** A deploy takes over the route: any recovery ends. Returns whether the guard had paused the route. */
    boolean standDown() {
        synchronized (route) {
            if (recovering) {
                log.info("route {}: a deploy takes over from the crash guard", route.name());
                endRecoveryLocked();
            }
            boolean paused = pausedByGuard;
            pausedByGuard = false;
            return paused;
        }
    }

    /**
     * After a deploy: recover the active slot if its supervised process is not running.
     *
     * @param heldForCrash the route is still paused for a crash during the deploy, which the
     *                     deploy did not resume: the guard resumes it (once the slot is ready)
     */
    void afterDeploy(boolean heldForCrash) {
        synchronized (route) {
            if (closed) {
                return; // holdport is shutting down: it neither restarts nor resumes anything now
            }
            if (heldForCrash) {
                pausedByGuard = true;
            }
            String active = route.route.status().activeSlot();
            Optional<SlotProcess> process = route.process(active);
            if (process.isPresent() && !process.get().alive()) {
                recover(process.get(), "after the deploy, slot " + active + " is active but its process is not running", true);
            } else if (pausedByGuard && !recovering) {
                pausedByGuard = false;
                route.route.resume();
                log.info("route {}: slot {} runs: resumed after the deploy", route.name(), active);
            }
        }
    }

    /**
     * A deploy whose rollback failed leaves the route paused, holding clients, because the slot
     * it made active again has {@code process} not running: the guard restarts it with backoff
     * and resumes the route once it is ready, as after a crash, so the held clients wait for it
     * instead of being released to a dead process. Called on the deploy's thread after its last
     * step; the deploy then only records its end.
     *
     * @return false when the guard has stopped (holdport is shutting down) and so cannot take
     *     over: the caller must not leave the route paused with nobody to resume it
     */
    boolean takeOverFromFailedRollback(SlotProcess process, String why) {
        synchronized (route) {
            if (closed) {
                return false;
            }
            // Decided under the route's lock, as close() is: either the recovery starts here (and
            // close() ends it later), or close() came first and the caller resumes the route.
            pausedByGuard = true;
            recover(process, why, true);
            return true;
        }
    }

    void close() {
        synchronized (route) {
            closed = true;
            if (recovering && pausedByGuard) {
                // The state file keeps the pause, and the next holdport takes a route that starts
                // paused for an operator's pause: say so, or nobody knows why it stays paused.
                log.warn("route {}: holdport stops while crash masking holds the route paused for slot {}'s restart: the"
                        + " next holdport starts it paused (until resumed, or pause.max-duration)", route.name(),
                        route.route.status().activeSlot());
            }
            endRecoveryLocked();
        }
    }

    /** A stop of a never-ready process the guard runs outside the lock; done when none runs. */
    CompletableFuture<Void> ownStop() {
        synchronized (route) {
            return ownStop;
        }
    }

    /**
     * Blocks until a stop the guard began before a deploy took over has ended, so the deploy's
     * first step finds the slot's process settled (stopped, not being stopped). A stop is bounded
     * (the slot's stop-timeout, then SIGKILL), so this is too. Called on the deploy's thread.
     */
    void awaitOwnStop() {
        CompletableFuture<Void> stop = ownStop();
        if (!stop.isDone()) {
            log.info("route {}: the deploy waits for the crash guard to finish stopping a process", route.name());
            stop.join();
        }
    }

    /** @param afterCrash count the starts as restarts (not so for the start-up rule) */
    private void recover(SlotProcess process, String why, boolean afterCrash) {
        synchronized (route) {
            if (closed || recovering) {
                return;
            }
            recovering = true;
            long gen = ++generation;
            stoodDown = new CompletableFuture<>();
            if (!route.route.status().paused()) {
                route.route.pause();
                pausedByGuard = true;
            }
            log.warn("route {}: {}: new connections are held while slot {} is (re)started", route.name(), why, process.name());
            workers.execute(() -> recoveryLoop(process, gen, afterCrash));
        }
    }

    private void recoveryLoop(SlotProcess process, long gen, boolean afterCrash) {
        Duration backoff = FIRST_BACKOFF;
        ReadinessCheck readiness = new ReadinessCheck(route.name(), process.slot());
        for (int attempt = 1; ; attempt++) {
            CompletableFuture<ProcessExit> exit = null;
            CompletableFuture<ProcessExit> stop;
            String failure;
            synchronized (route) {
                if (!current(gen)) {
                    return;
                }
                stop = stoodDown;
                try {
                    if (process.alive()) {
                        exit = process.exit();
                    } else {
                        exit = process.start();
                        if (afterCrash) {
                            restarts.computeIfAbsent(process.name(), k -> new LongAdder()).increment();
                        }
                    }
                    failure = null;
                } catch (IOException | RuntimeException e) {
                    failure = "cannot start: " + e.getMessage();
                }
            }
            if (exit != null) {
                try {
                    // Ends early when the process exits, or when a deploy takes over.
                    CompletableFuture<ProcessExit> watch = exit.applyToEither(stop, e -> e);
                    int checks = readiness.await(watch, process.slot().ready().timeout(), process.log());
                    synchronized (route) {
                        if (!current(gen)) {
                            return;
                        }
                        recovering = false;
                        boolean resume = pausedByGuard;
                        pausedByGuard = false;
                        if (resume) {
                            route.route.resume();
                        }
                        log.info("route {}: slot {} is ready again (attempt {}, {} checks){}", route.name(),
                                process.name(), attempt, checks, resume ? ": resumed" : " (the route stays paused)");
                    }
                    return;
                } catch (NotReadyException e) {
                    failure = e.getMessage();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                CompletableFuture<Void> stopping = new CompletableFuture<>();
                synchronized (route) {
                    if (!current(gen)) {
                        return;
                    }
                    ownStop = stopping;
                }
                // Outside the route's lock: a process ignoring SIGTERM takes the whole stop-timeout,
                // and what takes that lock (a deploy or rollback request, the deploy running on the
                // route, another slot's exit, holdport shutting down) must not wait for it. What
                // may interleave, and why it is safe:
                // - a deploy begins: it stands the guard down (this loop then ends at its next
                //   check) and its thread waits for this stop (awaitOwnStop) before its first step,
                //   so it never decides on a process that is half-stopped, and the process it
                //   starts itself cannot be the one stopped here;
                // - the process's exit: a stop marks it expected, so no exit report comes back here;
                // - close(): sets 'closed'; Deployer.close waits for this stop (ownStop) before
                //   holdport exits, and its stops of stop-on-exit slots are serialized with it by
                //   SlotProcess.
                try {
                    if (process.alive()) {
                        process.stop();
                    }
                } catch (IOException e) {
                    log.error("route {}: cannot stop slot {}'s process that never became ready: {}",
                            route.name(), process.name(), e.getMessage());
                } finally {
                    stopping.complete(null);
                }
            }
            log.warn("route {}: restarting slot {} failed (attempt {}): {}; next attempt in {} ms", route.name(),
                    process.name(), attempt, failure, backoff.toMillis());
            if (!waitFor(backoff, gen)) {
                return;
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    /** Waits out a backoff; false when the recovery ended meanwhile. */
    private boolean waitFor(Duration backoff, long gen) {
        long deadline = System.nanoTime() + backoff.toNanos();
        synchronized (route) {
            long left;
            while (current(gen) && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(route, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return current(gen);
        }
    }

    private boolean current(long gen) {
        return recovering && !closed && generation == gen;
    }

    private void endRecoveryLocked() {
        if (recovering) {
            recovering = false;
            generation++;
            stoodDown.complete(new ProcessExit(0, java.util.OptionalInt.empty(), true));
            route.notifyAll();
        }
    }
}
