package dev.holdport.admin;

import dev.holdport.admin.metrics.HoldportMetrics;
import dev.holdport.admin.server.AdminServer;
import dev.holdport.admin.server.AdminServer.AdminStartException;
import dev.holdport.admin.server.ApiHandler;
import dev.holdport.admin.systemd.SdNotify;
import dev.holdport.config.HoldportConfig;
import dev.holdport.deploy.Deployer;
import dev.holdport.proxy.Proxy;
import dev.holdport.proxy.Route;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running holdport: the data plane (every route of the config), its metrics, the deployer
 * (supervised slot processes, one-call deploys) and the admin API, started in that order and
 * stopped in the reverse one.
 */
public final class HoldportProcess {

    private static final Logger log = LoggerFactory.getLogger(HoldportProcess.class);
    /** Beyond the drain timeout: what stopping a deploy in progress and the admin API may take. */
    private static final Duration PREDECESSOR_STOP_MARGIN = Duration.ofSeconds(40);

    private final HoldportConfig config;
    private final Proxy proxy;
    private final Deployer deployer;
    private final AdminServer admin;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private HoldportProcess(HoldportConfig config, Proxy proxy, Deployer deployer, AdminServer admin) {
        this.config = config;
        this.proxy = proxy;
        this.deployer = deployer;
        this.admin = admin;
    }

    /**
     * Binds every route's listener, takes charge of the supervised slots (adopting processes an
     * earlier holdport left running, starting the active slot if nothing answers on its address),
     * then starts the admin API and tells systemd it is ready.
     *
     * @throws StartFailure naming the part that could not start (whatever had started is stopped)
     */
    public static HoldportProcess start(HoldportConfig config) throws StartFailure {
        return start(config, null, new CompletableFuture<>());
    }

    /**
     * {@link #start(HoldportConfig)}, taking over from the holdport running as {@code predecessorPid}
     * when it is not null: listen beside it, stop it, and only once it has exited take the slot
     * processes and the admin API's port (see {@link Predecessor}). When {@code stopAsked}
     * completes while the take-over waits for the predecessor to exit, the wait is given up: this
     * holdport drains its own relays (as a stop would) and throws a
     * {@link StartFailure#isStopRequested() stop request}.
     */
    public static HoldportProcess start(HoldportConfig config, Long predecessorPid, CompletableFuture<String> stopAsked)
            throws StartFailure {
        Predecessor predecessor = predecessorPid == null ? null : Predecessor.of(predecessorPid);
        HoldportMetrics metrics = new HoldportMetrics();
        Proxy proxy;
        try {
            proxy = Proxy.start(config, metrics, predecessor != null);
        } catch (Exception e) { // Netty may rethrow a checked exception it does not declare
            throw new StartFailure("the data plane", e, false);
        }
        if (predecessor != null) {
            Predecessor.warnIfQueuedConnectionsWouldBeReset();
            // Its own stop is bounded by its drain timeout plus the time a deploy in progress may
            // take to stop (a slot's stop-timeout plus 15 s): the same bound systemd's unit allows.
            try {
                predecessor.stop(config.shutdownDrainTimeout().plus(PREDECESSOR_STOP_MARGIN), stopAsked);
            } catch (StartFailure e) {
                if (e.isStopRequested()) {
                    // This process already relays connections: they get the drain a stop gives.
                    log.info("take-over: {} received: giving up the take-over and stopping ({})", stopAsked.join(),
                            e.getMessage());
                    proxy.shutdown(config.shutdownDrainTimeout());
                    log.info("stopped");
                } else {
                    proxy.close();
                }
                throw e;
            }
            proxy.followStateLeftByPredecessor();
        }
        Deployer deployer;
        try {
            metrics.readStatusFrom(proxy);
            deployer = Deployer.start(proxy, config);
        } catch (RuntimeException e) {
            proxy.close();
            throw new StartFailure("slot supervision (state dir " + config.stateDir() + ")", e, false);
        }
        AdminServer admin;
        try {
            metrics.follow(deployer, proxy.routes().stream().map(Route::name).toList());
            admin = AdminServer.start(config.admin(),
                    new ApiHandler(proxy, deployer, config, metrics, config.admin().token()));
        } catch (AdminStartException | RuntimeException e) {
            deployer.close();
            proxy.close();
            throw new StartFailure("the admin API", e,
                    e instanceof AdminStartException refused && refused.isConfigError());
        }
        log.info("ready: {} route(s) on transport {}, admin API at {}", proxy.routes().size(), proxy.transportName(),
                admin.url());
        SdNotify.notify("READY=1");
        return new HoldportProcess(config, proxy, deployer, admin);
    }

    public Proxy proxy() {
        return proxy;
    }

    public Deployer deployer() {
        return deployer;
    }

    public AdminServer admin() {
        return admin;
    }

    /**
     * Graceful stop: live relays get {@code holdport.shutdown.drain-timeout} to finish, then the
     * admin API stops (it stays up meanwhile, so the drain can be watched). Idempotent: a second
     * call waits for the first to finish.
     */
    public void shutdown() {
        if (!stopping.compareAndSet(false, true)) {
            awaitStopped();
            return;
        }
        try {
            SdNotify.notify("STOPPING=1");
            log.info("shutting down: live relays get up to {} to finish",
                    DurationText.human(DurationText.seconds(config.shutdownDrainTimeout())));
            // First, so a running deploy stops at a step boundary and crash recovery does not
            // restart a process while the proxy winds down.
            deployer.stopSupervising();
            proxy.shutdown(config.shutdownDrainTimeout());
            // Only now: the drain's relays need their processes to the end.
            deployer.close();
            admin.stop();
            log.info("stopped");
        } finally {
            stopped.countDown();
        }
    }

    /** Blocks until {@link #shutdown()} has finished. */
    public void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
