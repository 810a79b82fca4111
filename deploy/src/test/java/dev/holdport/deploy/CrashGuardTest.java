package dev.holdport.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.holdport.config.ConfigLoader;
import dev.holdport.config.HoldportConfig;
import dev.holdport.proxy.Proxy;
import dev.holdport.proxy.Route;
import dev.holdport.proxy.testing.Clients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 4: kill -9 of the active supervised backend under load. Only the requests in flight
 * on its live connections fail; new connections wait (the route pauses at once) and are served
 * once the restarted process is ready.
 */
class CrashGuardTest {

    @TempDir
    Path dir;

    @Test
    void aKilledActiveBackendIsRestartedWhileNewClientsWait() throws Exception {
        try (TestHoldport holdport = new TestHoldport(dir)
                .install("a", Installs.serving("v1"))
                .install("b", Installs.serving("v2"))
                .start()) {
            holdport.awaitServing("v1");
            long killed = holdport.pid("a");
            // The restarted process takes a second to start listening, as real services do.
            Installs.install(holdport.slotPath("a"), "sleep 1\n" + Installs.serving("v1"));

            try (Load load = holdport.startLoad("v1")) {
                long heldAtKill = holdport.route().status().totals().held();

                ProcessHandle.of(killed).orElseThrow().destroyForcibly(); // SIGKILL

                await().until(() -> holdport.route().status().paused());
                Instant pausedAt = holdport.route().status().pausedSince();
                long heldBefore = holdport.route().status().totals().held();
                CompletableFuture<String> newcomer = holdport.askInBackground("new");
                await().until(() -> holdport.route().status().totals().held() > heldBefore);
                assertThat(newcomer.get(30, TimeUnit.SECONDS)).as("a new connection waits, then is served").isEqualTo("v1");

                await().atMost(Duration.ofSeconds(60)).until(() -> holdport.status("a").restarts() == 1
                        && holdport.status("a").running() && !holdport.route().status().paused());
                int errorsAtRecovery = load.errors().size();
                long servedAtRecovery = load.served();
                await().until(() -> load.served() > servedAtRecovery + 50);
                load.stop();

                assertThat(holdport.status("a").crashes()).isEqualTo(1);
                assertThat(holdport.status("a").lastExit()).hasValueSatisfying(e -> assertThat(e).contains("signal 9"));
                assertThat(holdport.pid("a")).isNotEqualTo(killed);
                assertThat(load.failures())
                        .as("only requests relayed to the killed process fail: none begun once the route paused")
                        .allSatisfy(f -> {
                            assertThat(f.startedAt()).isBefore(pausedAt);
                            assertThat(f.error()).containsAnyOf("closed without an answer", "Connection reset");
                        });
                assertThat(load.errors()).as("no error once the restart was ready").hasSize(errorsAtRecovery);
                System.out.printf("kill -9 under load: %d requests served, %d in flight failed, %d connections held during the restart%n",
                        load.served(), load.errors().size(), holdport.route().status().totals().held() - heldAtKill);
            }
            assertThat(holdport.route().status().activeSlot()).isEqualTo("a");
        }
    }

    @Test
    void aDeployTakesOverFromACrashLoopAndReleasesTheHeldClients() throws Exception {
        try (TestHoldport holdport = new TestHoldport(dir)
                .install("a", Installs.serving("v1"))
                .install("b", Installs.serving("v2"))
                .start()) {
            holdport.awaitServing("v1");
            // a's install is broken, then its process dies: every restart fails, clients are held.
            Installs.install(holdport.slotPath("a"), Installs.exitingAtStart());
            ProcessHandle.of(holdport.pid("a")).orElseThrow().destroyForcibly();
            await().until(() -> holdport.status("a").restarts() >= 2);
            assertThat(holdport.route().status().paused()).isTrue();
            CompletableFuture<String> waiting = holdport.askInBackground("waiting");

            Deploy done = holdport.awaitEnd(holdport.deployer().deploy("web", DeployRequest.of("b")));

            assertThat(done.state()).as("%s", done).isEqualTo(DeployState.SUCCEEDED);
            assertThat(done.steps()).extracting(DeployStep::name)
                    .containsExactly("start b", "ready b", "switch b", "drain a", "stop a", "resume b");
            assertThat(waiting.get(30, TimeUnit.SECONDS)).as("the client held during the crash loop").isEqualTo("v2");
            assertThat(holdport.route().status().paused()).isFalse();
            assertThat(holdport.status("a").running()).isFalse();
        }
    }

    @Test
    void aCrashOfTheActiveSlotDuringADeployHoldsClientsAndTheRollbackStartsItAgain() throws Exception {
        try (TestHoldport holdport = new TestHoldport(dir)
                .install("a", Installs.serving("v1"))
                .install("b", Installs.neverReady())
                .slotSettings("b", "ready.timeout = 10m")
                .start()) {
            holdport.awaitServing("v1");
            Deploy started = holdport.deployer().deploy("web", DeployRequest.of("b"));
            holdport.awaitStep(started, "ready b");

            ProcessHandle.of(holdport.pid("a")).orElseThrow().destroyForcibly();
            await().until(() -> holdport.route().status().paused());
            CompletableFuture<String> waiting = holdport.askInBackground("waiting");
            await().until(() -> holdport.route().status().held() == 1);
            holdport.deployer().cancel(started.id());
            Deploy done = holdport.awaitEnd(started);

            assertThat(done.state()).as("%s", done).isEqualTo(DeployState.CANCELLED);
            assertThat(done.steps()).filteredOn(DeployStep::rollback).extracting(DeployStep::name)
                    .containsExactly("stop b", "start a", "ready a", "resume a");
            assertThat(waiting.get(30, TimeUnit.SECONDS)).isEqualTo("v1");
            assertThat(holdport.route().status().paused()).isFalse();
            assertThat(holdport.status("a").crashes()).isEqualTo(1);
        }
    }

    @Test
    void theGuardStopsAStubbornProcessWithoutBlockingTheRouteAndADeployWaitsForThatStop() throws Exception {
        Path term = dir.resolve("term-received");
        try (TestHoldport holdport = new TestHoldport(dir)
                // a never listens and ignores SIGTERM: the start-up rule starts it, it is not ready
                // within 1 s, and the guard's stop of it lasts the whole stop-timeout.
                .install("a", "trap 'echo TERM >> \"" + term + "\"' TERM\nwhile :; do sleep 0.1; done")
                .install("b", Installs.serving("v2"))
                .slotSettings("a", "stop-timeout = 30s, ready.timeout = 1s")
                .start()) {
            await().until(() -> Files.exists(term));
            long stubborn = holdport.pid("a");
            CompletableFuture<String> waiting = holdport.askInBackground("waiting");
            await().until(() -> holdport.route().status().held() == 1);

            Deploy started = holdport.deployer().deploy("web", DeployRequest.of("b"));

            assertThat(ProcessHandle.of(stubborn).map(ProcessHandle::isAlive).orElse(false))
                    .as("the deploy began while the guard was still stopping a's process").isTrue();
            assertThat(holdport.deployer().runningOn("web")).map(Deploy::id).contains(started.id());
            Instant killedAt = Instant.now();
            ProcessHandle.of(stubborn).orElseThrow().destroyForcibly(); // ends the guard's stop early
            Deploy done = holdport.awaitEnd(started);

            assertThat(done.state()).as("%s", done).isEqualTo(DeployState.SUCCEEDED);
            assertThat(done.steps()).extracting(DeployStep::name)
                    .containsExactly("start b", "ready b", "switch b", "drain a", "stop a", "resume b");
            assertThat(done.steps().get(0).startedAt()).as("the first step waited for the guard's stop to end")
                    .isAfterOrEqualTo(killedAt);
            assertThat(waiting.get(30, TimeUnit.SECONDS)).isEqualTo("v2");
            assertThat(holdport.route().status().paused()).isFalse();
        }
    }

    @Test
    void anExitReportedAfterTheSlotGotANewProcessDoesNotPauseTheRoute() throws Exception {
        TestHoldport settings = new TestHoldport(dir).install("a", Installs.serving("v1")).install("b", Installs.serving("v2"));
        HoldportConfig config = ConfigLoader.parse(settings.configText());
        // Exit reports wait here until the test delivers them: a report that comes late, as one
        // waiting for a busy route's lock would.
        List<Runnable> exitReports = new CopyOnWriteArrayList<>();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        ExecutorService workers = Executors.newCachedThreadPool();
        CrashGuard[] guard = new CrashGuard[1];
        SlotProcess a = null;
        try (Proxy proxy = Proxy.start(config)) {
            Route route = proxy.routes().get(0);
            a = new SlotProcess("web", route.config().slots().get("a"), dir.resolve("state/slots/web"), timer,
                    exitReports::add, (process, exit) -> guard[0].exited(process, exit));
            SupervisedRoute supervised = new SupervisedRoute(route, Map.of("a", a));
            guard[0] = new CrashGuard(supervised, workers, new CrashMaskingPauseFile("web", dir.resolve("state/slots/web")));
            supervised.guard(guard[0]);
            a.start();
            await().ignoreExceptions().until(() -> Clients.ask(route.listenAddress(), "up?").equals("v1"));
            long first = a.pid().orElseThrow();

            ProcessHandle.of(first).orElseThrow().destroyForcibly();
            await().until(() -> exitReports.size() == 1);
            a.start(); // the slot's new process, as a deploy or the guard would start it
            await().ignoreExceptions().until(() -> Clients.ask(route.listenAddress(), "up?").equals("v1"));
            exitReports.get(0).run(); // the first process's exit, reported only now

            assertThat(route.status().paused()).as("the slot runs: nothing to mask").isFalse();
            assertThat(guard[0].crashes("a")).as("it was a crash all the same").isEqualTo(1);
            assertThat(guard[0].restarts("a")).isZero();
            assertThat(Clients.ask(route.listenAddress(), "who?")).isEqualTo("v1");
        } finally {
            if (guard[0] != null) {
                guard[0].close();
            }
            if (a != null) {
                a.stop();
            }
            workers.shutdownNow();
            timer.shutdownNow();
        }
    }
}
