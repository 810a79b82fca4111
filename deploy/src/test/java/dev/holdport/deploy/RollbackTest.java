package dev.holdport.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.holdport.proxy.testing.Clients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Acceptance 2: a broken new version rolls back by itself; the old version serves throughout. */
class RollbackTest {

    @TempDir
    Path dir;

    @Test
    void aVersionThatExitsAtStartOrNeverBecomesReadyIsRolledBackWithoutAClientError() throws Exception {
        try (TestHoldport holdport = new TestHoldport(dir)
                .install("a", Installs.serving("v1"))
                .install("b", Installs.exitingAtStart())
                // A readiness timeout far longer than the test: an early exit must fail the step at once.
                .slotSettings("b", "ready.timeout = 10m")
                .start()) {
            holdport.awaitServing("v1");
            long pidA = holdport.pid("a");

            try (Load load = holdport.startLoad("v1")) {

                Deploy exited = holdport.awaitEnd(holdport.deployer().deploy("web", DeployRequest.of("b")));

                assertThat(exited.state()).as("%s", exited).isEqualTo(DeployState.ROLLED_BACK);
                assertThat(exited.failure()).get().satisfies(f -> {
                    assertThat(f.step()).isEqualTo("ready b");
                    assertThat(f.reason()).contains("exited with status 3 before it was ready")
                            .contains("config error: no such database");
                });
                assertThat(exited.steps()).extracting(DeployStep::name, DeployStep::outcome).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("start b", StepOutcome.OK),
                        org.assertj.core.groups.Tuple.tuple("ready b", StepOutcome.FAILED));

                // The next version never listens: it is waited on for ready.timeout, then stopped.
                Installs.install(holdport.slotPath("b"), Installs.neverReady());
                Deploy hung = holdport.awaitEnd(holdport.deployer().deploy("web",
                        new DeployRequest("b", Optional.of(DeployMode.SWITCH), Optional.of(Duration.ofSeconds(2)))));

                long servedAfter = load.served();
                await().until(() -> load.served() > servedAfter + 50);
                load.stop();
                assertThat(hung.state()).as("%s", hung).isEqualTo(DeployState.ROLLED_BACK);
                assertThat(hung.failure()).get().satisfies(f -> {
                    assertThat(f.step()).isEqualTo("ready b");
                    assertThat(f.reason()).contains("the deploy's timeout (2s) passed").contains("not ready within");
                });
                assertThat(hung.steps()).filteredOn(DeployStep::rollback).extracting(DeployStep::name)
                        .containsExactly("stop b");
                assertThat(load.errors()).as("client errors").isEmpty();
                assertThat(load.answered("v1")).isEqualTo(load.served());
            }
            assertThat(Clients.ask(holdport.address(), "who?")).isEqualTo("v1");
            assertThat(holdport.pid("a")).as("a was never touched").isEqualTo(pidA);
            assertThat(holdport.status("b").running()).isFalse();
            assertThat(holdport.route().status().activeSlot()).isEqualTo("a");
        }
    }

    @Test
    void whenTheRollbackFailsTooTheHeldClientsWaitForCrashMaskingToStartThePreviousSlot() throws Exception {
        Path bMayExit = dir.resolve("b-may-exit");
        Path aFailedOnce = dir.resolve("a-failed-once");
        Path aMayServe = dir.resolve("a-may-serve");
        try (TestHoldport holdport = new TestHoldport(dir)
                .install("a", Installs.serving("v1"))
                // b fails, once the test has a client held by the deploy.
                .install("b", Installs.waitingFor(bMayExit) + Installs.exitingAtStart())
                // A client released to a slot whose process is not running would fail at once.
                .routeSettings("backend.retry-refused-for = 200ms")
                .start()) {
            holdport.awaitServing("v1");
            // Once stopped, a fails its next start (the rollback's); the start after that serves,
            // once the test lets it.
            Installs.install(holdport.slotPath("a"), Installs.failingOnceThenServingWhen(aFailedOnce, aMayServe, "v1"));
            Deploy started = holdport.deployer().deploy("web", DeployRequest.of("b", DeployMode.EXCLUSIVE));
            holdport.awaitStep(started, "ready b");
            CompletableFuture<String> held = holdport.askInBackground("held");
            await().until(() -> holdport.route().status().held() == 1);
            Files.createFile(bMayExit);

            Deploy done = holdport.awaitEnd(started);

            assertThat(done.state()).as("%s", done).isEqualTo(DeployState.FAILED);
            assertThat(done.failure()).get().satisfies(f -> {
                assertThat(f.step()).isEqualTo("ready b");
                assertThat(f.reason()).contains("exited with status 3").contains("the rollback failed too, at ready a")
                        .contains("disk full")
                        .contains("the route stays paused: crash masking restarts slot a with backoff and resumes the"
                                + " route once it is ready");
            });
            assertThat(done.steps()).filteredOn(DeployStep::rollback).extracting(DeployStep::name, DeployStep::outcome)
                    .as("no resume to a's dead process").containsExactly(
                            org.assertj.core.groups.Tuple.tuple("start a", StepOutcome.OK),
                            org.assertj.core.groups.Tuple.tuple("ready a", StepOutcome.FAILED));
            assertThat(holdport.route().status().paused()).as("left paused for crash masking").isTrue();
            assertThat(holdport.route().status().held()).as("the client is still held").isEqualTo(1);
            assertThat(held).isNotDone();

            Files.createFile(aMayServe);

            assertThat(held.get(60, TimeUnit.SECONDS)).as("the held client is served by a's restart").isEqualTo("v1");
            await().until(() -> !holdport.route().status().paused());
            assertThat(holdport.route().status().activeSlot()).isEqualTo("a");
            assertThat(holdport.status("a").restarts()).as("started by crash masking").isEqualTo(1);
            assertThat(Clients.ask(holdport.address(), "who?")).isEqualTo("v1");
        }
    }

    @Test
    void aPreviousSlotWhoseProcessRunsButIsNotReadyGetsNoHeldClientsAndCrashMaskingResumesOnceItIsReady()
            throws Exception {
        Path aMayServe = dir.resolve("a-may-serve");
        try (TestHoldport holdport = new TestHoldport(dir)
                .install("a", Installs.serving("v1"))
                .install("b", Installs.exitingAtStart())
                // A client released to a slot that does not listen would fail at once.
                .routeSettings("backend.retry-refused-for = 200ms")
                .start()) {
            holdport.awaitServing("v1");
            // a dies; crash masking holds clients and restarts it, but the new process does not
            // listen until the test lets it: it runs, and it is not ready.
            Installs.install(holdport.slotPath("a"), Installs.waitingFor(aMayServe) + Installs.serving("v1"));
            ProcessHandle.of(holdport.pid("a")).orElseThrow().destroyForcibly();
            await().until(() -> holdport.status("a").restarts() == 1 && holdport.status("a").running());
            CompletableFuture<String> held = holdport.askInBackground("held");
            await().until(() -> holdport.route().status().held() == 1);

            // The deploy takes the paused route over from crash masking; b fails at once.
            Deploy done = holdport.awaitEnd(holdport.deployer().deploy("web",
                    new DeployRequest("b", Optional.of(DeployMode.SWITCH), Optional.of(Duration.ofSeconds(2)))));

            assertThat(done.state()).as("%s", done).isEqualTo(DeployState.FAILED);
            assertThat(done.steps()).filteredOn(DeployStep::rollback)
                    .extracting(DeployStep::name, DeployStep::outcome)
                    .as("a's process runs, but the held client is not released to it before it is ready")
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("ready a", StepOutcome.FAILED));
            assertThat(done.steps()).filteredOn(DeployStep::rollback).singleElement()
                    .satisfies(s -> assertThat(s.detail()).as("bounded by the deploy's timeout").contains("not ready within 2s"));
            assertThat(done.failure()).get().satisfies(f -> {
                assertThat(f.step()).isEqualTo("ready b");
                assertThat(f.reason()).contains("the rollback failed too, at ready a")
                        .contains("the route stays paused: crash masking waits for slot a's running process to become"
                                + " ready");
                assertThat(f.routeLeftPaused()).isTrue();
            });
            assertThat(holdport.route().status().paused()).isTrue();
            assertThat(holdport.route().status().held()).as("the client is still held").isEqualTo(1);
            assertThat(held).isNotDone();

            Files.createFile(aMayServe);

            assertThat(held.get(60, TimeUnit.SECONDS)).as("served once a is ready").isEqualTo("v1");
            await().until(() -> !holdport.route().status().paused());
            assertThat(holdport.route().status().activeSlot()).isEqualTo("a");
            assertThat(holdport.status("a").restarts()).as("a's running process was waited on, not restarted").isEqualTo(1);
        }
    }

    @Test
    void theNextHoldportWarnsOfARouteAnInterruptedDeployLeftPausedFromTheRecordedFactNotTheReasonsWords()
            throws Exception {
        try (TestHoldport holdport = new TestHoldport(dir)
                .install("a", Installs.neverReady())
                .install("b", Installs.neverReady())) {
            Files.createDirectories(holdport.stateDir());
            Files.writeString(holdport.stateDir().resolve("holdport-state.properties"),
                    "route.web.active=a\nroute.web.paused=true\n");
            Instant t0 = Instant.now().minusSeconds(60);
            Deploy cut = new Deploy("web-cut", "web", "b", "a", DeployMode.EXCLUSIVE, false, Optional.empty(), t0,
                    Optional.of(t0.plusSeconds(5)), DeployState.INTERRUPTED,
                    List.of(new DeployStep("pause", "", false, t0, Duration.ofMillis(1), StepOutcome.OK, "new connections are held")),
                    Optional.of(new DeployFailure("drain a", "holdport shut down", true)));
            Files.writeString(holdport.stateDir().resolve("deploys.json"), DeployJson.toJson(List.of(cut)).toString());

            Logger logger = (Logger) LoggerFactory.getLogger(Deployer.class);
            ListAppender<ILoggingEvent> logs = new ListAppender<>();
            logs.start();
            logger.addAppender(logs);
            try {
                holdport.start();
            } finally {
                logger.detachAppender(logs);
            }

            assertThat(holdport.route().status().paused()).isTrue();
            assertThat(logs.list).filteredOn(e -> e.getLevel() == Level.WARN)
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .anySatisfy(m -> assertThat(m).contains("deploy web-cut of route web was interrupted when holdport"
                            + " stopped (at step pause) and left the route paused: it is still paused on slot a"));
        }
    }

    @Test
    void holdportShuttingDownStopsARollbackAtItsNextStepAndSaysTheRouteStaysPaused() throws Exception {
        try (TestHoldport holdport = new TestHoldport(dir)
                .install("a", Installs.serving("v1"))
                .install("b", Installs.exitingAtStart())
                .slotSettings("a", "ready.timeout = 10m")
                .start()) {
            holdport.awaitServing("v1");
            // Once stopped, a comes back as a version that never becomes ready: the rollback waits on it.
            Installs.install(holdport.slotPath("a"), Installs.neverReady());
            Deploy started = holdport.deployer().deploy("web", DeployRequest.of("b", DeployMode.EXCLUSIVE));
            holdport.awaitStep(started, "ready a");
            CompletableFuture<String> held = holdport.askInBackground("held");
            await().until(() -> holdport.route().status().held() == 1);
            CompletableFuture<Deploy> completion = holdport.deployer().completion(started.id()).orElseThrow();

            holdport.deployer().close();

            assertThat(completion).as("close() returns once the rollback has stopped").isDone();
            Deploy cut = completion.get();
            assertThat(cut.state()).as("%s", cut).isEqualTo(DeployState.INTERRUPTED);
            assertThat(cut.failure()).get().satisfies(f -> {
                assertThat(f.step()).isEqualTo("ready b");
                assertThat(f.reason()).contains("exited with status 3")
                        .contains("holdport shut down while rolling back to slot a (at ready a)")
                        .contains("route web is left paused on slot a (1 held connections are closed as holdport exits");
                assertThat(f.routeLeftPaused()).isTrue();
            });
            assertThat(cut.steps()).filteredOn(DeployStep::rollback).extracting(DeployStep::name, DeployStep::outcome)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("start a", StepOutcome.OK),
                            org.assertj.core.groups.Tuple.tuple("ready a", StepOutcome.CANCELLED));
            assertThat(holdport.route().status().paused()).as("left paused, as said").isTrue();

            Logger logger = (Logger) LoggerFactory.getLogger(Deployer.class);
            ListAppender<ILoggingEvent> logs = new ListAppender<>();
            logs.start();
            logger.addAppender(logs);
            try {
                holdport.restart();
            } finally {
                logger.detachAppender(logs);
            }
            assertThat(held).as("the held client is closed as holdport exits").failsWithin(Duration.ofSeconds(30));
            assertThat(holdport.route().status().paused()).as("the next holdport starts with the route paused").isTrue();
            assertThat(logs.list).filteredOn(e -> e.getLevel() == Level.WARN)
                    .extracting(ILoggingEvent::getFormattedMessage)
                    .as("the next holdport says which deploy left the route paused")
                    .anySatisfy(m -> assertThat(m).contains("deploy " + cut.id() + " of route web was interrupted when"
                            + " holdport stopped (at rollback step ready a) and left the route paused: it is still paused"
                            + " on slot a"));
        }
    }
}
