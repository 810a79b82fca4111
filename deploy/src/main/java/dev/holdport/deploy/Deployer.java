package dev.holdport.deploy;

import dev.holdport.config.ConfigDurations;
import dev.holdport.config.HoldportConfig;
import dev.holdport.config.SlotConfig;
import dev.holdport.proxy.Proxy;
import dev.holdport.proxy.Route;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One-call deploys for every route of a {@link Proxy}: supervised slot processes, readiness
 * gates, automatic rollback, crash masking and the deploy history.
 *
 * <p>Deploys run in the background: {@link #deploy} checks the request, starts the deploy and
 * returns its first snapshot (with its id) at once. Follow it with {@link #find},
 * {@link #completion} or {@link #onChange}; stop it with {@link #cancel}. One deploy runs per
 * route at a time; asking for a second throws {@link DeployConflictException} naming the first.
 *
 * <p>Commands come only from the config: a caller names a route, a slot and a mode, never a
 * command or a path.
 */
public final class Deployer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Deployer.class);
    private static final DateTimeFormatter ID_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    /**
     * What {@link #close()} allows a deploy beyond the longest stop a slot may take, to reach its
     * step boundary (a readiness check in progress takes up to 5 s to notice the interrupt).
     */
    private static final Duration CLOSE_MARGIN = Duration.ofSeconds(10);

    private final Map<String, SupervisedRoute> routes = new LinkedHashMap<>();
    private final DeployHistory history;
    private final Map<String, DeployRun> running = new ConcurrentHashMap<>();
    private final List<Consumer<Deploy>> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer;
    private final ExecutorService workers;
    /** How long {@link #close()} waits for the running deploys: a stop in progress is finished first. */
    private final Duration closeWait;
    private volatile boolean closed;
    /** {@link #close} has stopped the stop-on-exit processes. */
    private boolean processesStopped;

    private Deployer(Proxy proxy, HoldportConfig config) {
        Path stateDir = config.stateDir();
        this.history = DeployHistory.load(stateDir.resolve("deploys.json"));
        this.timer = Executors.newSingleThreadScheduledExecutor(daemonThreads("holdport-supervision"));
        this.workers = Executors.newCachedThreadPool(daemonThreads("holdport-deploy"));
        for (Route route : proxy.routes()) {
            Map<String, SlotProcess> processes = new LinkedHashMap<>();
            CrashGuard[] guard = new CrashGuard[1];
            Path routeDir = stateDir.resolve("slots").resolve(route.name());
            for (SlotConfig slot : route.config().slots().values()) {
                if (slot.supervised()) {
                    processes.put(slot.name(), new SlotProcess(route.name(), slot, routeDir, timer, workers,
                            (process, exit) -> guard[0].exited(process, exit)));
                }
            }
            SupervisedRoute supervised = new SupervisedRoute(route, processes);
            guard[0] = new CrashGuard(supervised, workers, new CrashMaskingPauseFile(route.name(), routeDir));
            supervised.guard(guard[0]);
            routes.put(route.name(), supervised);
        }
        Duration longestStop = routes.values().stream()
                .flatMap(r -> r.processes().values().stream())
                .map(p -> p.slot().stopTimeout().plus(SlotProcess.KILL_GRACE))
                .max(Duration::compareTo)
                .orElse(Duration.ZERO);
        this.closeWait = longestStop.plus(CLOSE_MARGIN);
    }

    /**
     * Takes charge of every route's supervised slots: adopts the processes an earlier holdport
     * left running (pid files in the state directory), then applies the start-up rule: when the
     * active slot is supervised and nothing answers on its address, the route is paused, the
     * slot started, and the route resumed once it is ready (in the background). First it warns of
     * the deploys the last holdport left unfinished, naming each deploy and its route.
     */
    public static Deployer start(Proxy proxy, HoldportConfig config) {
        Deployer deployer = new Deployer(proxy, config);
        CutShortDeploys.warn(deployer.history, deployer.routes);
        for (SupervisedRoute route : deployer.routes.values()) {
            for (SlotProcess process : route.processes().values()) {
                process.adopt();
            }
            route.guard().startUp(CutShortDeploys.leftRouteMidway(deployer.history, route));
            // Once resumed, the pause an interrupted deploy left is over: a later one is not its.
            route.route.onStateChange(() -> {
                if (!route.route.status().paused()) {
                    deployer.history.routeResumed(route.name());
                }
            });
        }
        deployer.timer.scheduleWithFixedDelay(deployer::rotateLogs, 30, 30, TimeUnit.SECONDS);
        return deployer;
    }

    // ---- deploys ----

    /**
     * Starts a deploy of {@code request.slot()} on {@code route}; returns at once.
     *
     * @return the deploy's first snapshot (state running), with its id
     * @throws UnknownRouteException          no such route (404)
     * @throws dev.holdport.proxy.UnknownSlotException no such slot on the route (404 or 400)
     * @throws InvalidDeployException         the mode cannot be done with these slots (400)
     * @throws DeployConflictException        a deploy already runs on the route (409)
     */
    public Deploy deploy(String route, DeployRequest request) {
        return begin(supervised(route), request, false);
    }

    /** {@link #deploy(String, DeployRequest)} on the only route; an {@link InvalidDeployException} when there are several. */
    public Deploy deploy(DeployRequest request) {
        return deploy(onlyRoute(), request);
    }

    /**
     * Makes the previous active slot of {@code route} active again, through the same flow as a
     * deploy (and with the same mode as the deploy that left it, unless {@code mode} says
     * otherwise). The previous slot is the one the last successful deploy to the active slot came
     * from; without such a deploy in the history, the other slot of a two-slot route.
     */
    public Deploy rollback(String route, Optional<DeployMode> mode, Optional<Duration> timeout) {
        SupervisedRoute supervised = supervised(route);
        synchronized (supervised) {
            refuseIfRunning(supervised);
            String active = supervised.route.status().activeSlot();
            Optional<Deploy> last = history.list().stream()
                    .filter(d -> d.route().equals(route) && d.state() == DeployState.SUCCEEDED
                            && d.slot().equals(active) && !d.fromSlot().equals(active))
                    .findFirst();
            String target;
            DeployMode chosenMode;
            if (last.isPresent()) {
                target = last.get().fromSlot();
                chosenMode = mode.orElse(last.get().mode());
            } else if (supervised.config.slots().size() == 2) {
                target = supervised.config.slots().keySet().stream().filter(s -> !s.equals(active)).findFirst().orElseThrow();
                chosenMode = mode.orElse(DeployMode.SWITCH);
            } else {
                throw new InvalidDeployException("route " + route + ": no previous slot is known (no successful deploy to"
                        + " its active slot " + active + " in the history): deploy to a named slot instead");
            }
            return begin(supervised, new DeployRequest(target, Optional.of(chosenMode), timeout), true);
        }
    }

    /** {@link #rollback(String, Optional, Optional)} of the only route. */
    public Deploy rollback(Optional<DeployMode> mode, Optional<Duration> timeout) {
        return rollback(onlyRoute(), mode, timeout);
    }

    /**
     * What a cancel found: the deploy as it stands, and whether the cancel makes it roll back
     * (false when it had ended, or was rolling back already: then it ends as it would have).
     */
    public record Cancellation(Deploy deploy, boolean takesEffect) {}

    /**
     * Cancels a running deploy, which then rolls back (its final state is {@code cancelled}).
     *
     * @return empty when no deploy has that id
     */
    public Optional<Cancellation> cancel(String id) {
        DeployRun run = running.get(id);
        if (run != null) {
            boolean takesEffect = run.cancel();
            if (takesEffect) {
                log.info("deploy {}: cancel requested", id);
            }
            return Optional.of(new Cancellation(run.snapshot(), takesEffect));
        }
        return history.get(id).map(d -> new Cancellation(d, false));
    }

    /** The deploy with this id (running, or in the history). */
    public Optional<Deploy> find(String id) {
        DeployRun run = running.get(id);
        return run != null ? Optional.of(run.snapshot()) : history.get(id);
    }

    /** The last {@value DeployHistory#KEEP} deploys, newest first (running ones included). */
    public List<Deploy> deploys() {
        List<Deploy> all = new ArrayList<>(history.list());
        all.replaceAll(d -> {
            DeployRun run = running.get(d.id());
            return run != null ? run.snapshot() : d;
        });
        return all;
    }

    /** The deploy running on {@code route} now, if any. */
    public Optional<Deploy> runningOn(String route) {
        DeployRun run = supervised(route).running();
        return run == null ? Optional.empty() : Optional.of(run.snapshot());
    }

    /** Completes with the final snapshot when the deploy ends (at once for a finished one); empty for an unknown id. */
    public Optional<CompletableFuture<Deploy>> completion(String id) {
        DeployRun run = running.get(id);
        if (run != null) {
            return Optional.of(run.completion().thenApply(d -> d));
        }
        return history.get(id).map(CompletableFuture::completedFuture);
    }

    /**
     * Calls {@code listener} with a snapshot after every change of any deploy (a step starting
     * or ending, the end). Called on the deploy's thread: keep it quick. Close the returned handle
     * to stop listening.
     */
    public AutoCloseable onChange(Consumer<Deploy> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    // ---- supervision status ----

    /** Every slot of every route, supervised or not, in config order. */
    public List<SlotProcessStatus> slots() {
        List<SlotProcessStatus> all = new ArrayList<>();
        for (SupervisedRoute route : routes.values()) {
            for (SlotConfig slot : route.config.slots().values()) {
                Optional<SlotProcess> p = route.process(slot.name());
                if (p.isEmpty()) {
                    all.add(new SlotProcessStatus(route.name(), slot.name(), false, false, java.util.OptionalLong.empty(),
                            Optional.empty(), false, 0, 0, Optional.empty(), Optional.empty()));
                } else {
                    all.add(p.get().status(route.name(), route.guard().crashes(slot.name()), route.guard().restarts(slot.name())));
                }
            }
        }
        return all;
    }

    // ---- lifecycle ----

    /**
     * Stops supervising: crash recovery ends, and every running deploy stops at its next step
     * boundary, whether it is going forward or rolling back: a waiting step (ready, drain) ends at
     * once, a stop or start in progress is finished first. Such a deploy is recorded as
     * {@code interrupted} and is not rolled back (further); a route it had paused stays paused (so
     * the next holdport starts it paused) and both its record and the log say so. This waits at
     * most the longest stop a slot may take (its stop-timeout, then the SIGKILL grace) plus a
     * margin, so shutdown never hangs on a deploy. Call it before shutting the proxy down, and
     * {@link #close} after.
     */
    public void stopSupervising() {
        if (closed) {
            return;
        }
        closed = true;
        for (SupervisedRoute route : routes.values()) {
            // Under the route's lock, like begin(): a deploy that passed its check before `closed`
            // was set is in `running` by the time this lock is ours, and one after it is refused.
            // The running deploy learns of the shutdown before the guard closes: a rollback failing
            // in between would otherwise find no guard to take over and resume to a dead slot.
            synchronized (route) {
                DeployRun run = route.running();
                if (run != null) {
                    run.shutDown();
                }
                route.guard().close();
            }
        }
        long deadline = System.nanoTime() + closeWait.toNanos();
        for (SupervisedRoute route : routes.values()) {
            // A stop the guard began (of a process that never became ready) ends before holdport
            // exits: left half-done, the process could outlive SIGTERM and be adopted unready.
            try {
                route.guard().ownStop().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
                log.warn("route {}: the crash guard's stop of a process did not end before shutdown", route.name());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (DeployRun run : running.values()) {
            try {
                run.completion().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                log.warn("deploy {}: still at step {} {} after shutdown began: holdport exits without it (the next"
                        + " holdport records it as interrupted)", run.id(),
                        run.snapshot().currentStep().map(DeployStep::name).orElse("-"), ConfigDurations.format(closeWait));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (java.util.concurrent.ExecutionException e) {
                // it ended
            }
        }
    }

    /**
     * {@link #stopSupervising} if not done yet, then stops the processes of slots with
     * {@code stop-on-exit = true}; the others keep running for the next holdport to adopt. Call it
     * once the proxy has shut down: stopped earlier, those processes would cut the relays the
     * proxy's drain is waiting for, and take the connections it still accepts.
     */
    @Override
    public synchronized void close() {
        stopSupervising();
        if (processesStopped) {
            return;
        }
        processesStopped = true;
        for (SupervisedRoute route : routes.values()) {
            for (SlotProcess process : route.processes().values()) {
                if (process.slot().stopOnExit() && process.alive()) {
                    try {
                        process.stop();
                    } catch (IOException e) {
                        log.error("route {} slot {}: cannot stop its process on exit: {}", route.name(), process.name(),
                                e.getMessage());
                    }
                } else if (process.alive()) {
                    log.info("route {} slot {}: leaving pid {} running (stop-on-exit = false); the next holdport adopts it",
                            route.name(), process.name(), process.pid().orElse(0));
                }
            }
        }
        timer.shutdownNow();
        workers.shutdown();
    }

    // ---- internals ----

    private Deploy begin(SupervisedRoute route, DeployRequest request, boolean asRollback) {
        route.slot(request.slot());
        synchronized (route) {
            if (closed) { // checked under the route's lock: see close()
                throw new IllegalStateException("holdport is shutting down: no new deploys");
            }
            refuseIfRunning(route);
            String from = route.route.status().activeSlot();
            String to = request.slot();
            DeployMode mode = request.mode().orElse(to.equals(from) ? DeployMode.RESTART : DeployMode.SWITCH);
            DeployFeasibility.check(route, mode, from, to);
            Optional<Instant> crashPause = route.guard().standDown();
            DeployRun run = new DeployRun(newId(route.name()), route, from, to, mode, asRollback, request.timeout(),
                    crashPause, this::published);
            route.begin(run);
            running.put(run.id(), run);
            history.put(run.snapshot());
            run.completion().whenComplete((d, e) -> running.remove(run.id()));
            workers.execute(run);
            return run.snapshot();
        }
    }

    private static void refuseIfRunning(SupervisedRoute route) {
        DeployRun current = route.running();
        if (current != null) {
            throw new DeployConflictException(route.name(), current.id(), current.describe());
        }
    }

    private void published(Deploy snapshot) {
        history.put(snapshot);
        for (Consumer<Deploy> listener : listeners) {
            try {
                listener.accept(snapshot);
            } catch (RuntimeException e) {
                log.warn("a deploy listener failed: {}", e.toString());
            }
        }
    }

    SupervisedRoute supervised(String route) {
        SupervisedRoute supervised = routes.get(route);
        if (supervised == null) {
            throw new UnknownRouteException(route, routes.keySet());
        }
        return supervised;
    }

    private String onlyRoute() {
        if (routes.size() != 1) {
            throw new InvalidDeployException("holdport has " + routes.size() + " routes (" + String.join(", ", routes.keySet())
                    + "): name the route (POST /routes/{route}/deploy)");
        }
        return routes.keySet().iterator().next();
    }

    private String newId(String route) {
        while (true) {
            String id = route + "-" + ID_TIME.format(Instant.now()) + "-"
                    + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
            if (history.get(id).isEmpty()) {
                return id;
            }
        }
    }

    private void rotateLogs() {
        for (SupervisedRoute route : routes.values()) {
            for (SlotProcess process : route.processes().values()) {
                try {
                    process.log().rotateIfFull();
                } catch (IOException e) {
                    log.warn("route {} slot {}: cannot rotate {}: {}", route.name(), process.name(), process.log().file(),
                            e.getMessage());
                }
            }
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return task -> {
            Thread t = new Thread(task, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
