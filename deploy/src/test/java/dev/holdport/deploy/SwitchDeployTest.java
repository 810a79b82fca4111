package dev.holdport.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.holdport.proxy.testing.Clients;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 1 (and the start-up rule): a switch deploy under continuous load costs no client
 * anything. And a new version whose process dies after the switch is not a success: the deploy
 * rolls back instead of releasing clients to it.
 */
class SwitchDeployTest {

    @TempDir
    Path dir;

    @Test
    void startsTheActiveSlotAtStartUpHoldingClientsThenSwitchesToBUnderLoad() throws Exception {
        Path go = dir.resolve("a-may-be-ready");
        try (TestHoldport holdport = new TestHoldport(dir)
                .install("a", Installs.serving("v1"))
                .install("b", Installs.serving("v2"))
                // a counts as ready only once the test says so, so the test knows a client arrived
                // before a was ready (released early, it would still be served: refused connects are retried).
                .slotSettings("a", "ready { type = exec, command = [test, -f, \"" + go + "\"] }")
                .start()) {
            // Start-up rule: nothing answered on a's port, so holdport paused, started a, and
            // resumes once a is ready. A client arriving meanwhile is held, then served.
            assertThat(holdport.route().status().paused()).as("paused while slot a starts").isTrue();
            CompletableFuture<String> early = holdport.askInBackground("early");
            await().until(() -> holdport.route().status().held() == 1);
            java.nio.file.Files.createFile(go);
            assertThat(early.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("v1");
            assertThat(holdport.route().status().paused()).isFalse();
            long pidA = holdport.pid("a");

            try (Load load = holdport.startLoad("v1")) {

                Deploy started = holdport.deployer().deploy("web", DeployRequest.of("b"));
                assertThat(started.state()).isEqualTo(DeployState.RUNNING);
                assertThat(started.mode()).as("b is not active: switch by default").isEqualTo(DeployMode.SWITCH);
                Deploy done = holdport.awaitEnd(started);

                await().until(() -> load.answered("v2") > 50);
                load.stop();
                assertThat(done.state()).as("%s", done).isEqualTo(DeployState.SUCCEEDED);
                assertThat(done.steps()).extracting(DeployStep::name)
                        .containsExactly("start b", "ready b", "switch b", "drain a", "stop a");
                assertThat(done.steps()).allSatisfy(s -> assertThat(s.outcome()).isEqualTo(StepOutcome.OK));
                assertThat(load.errors()).as("client errors").isEmpty();
            }
            assertThat(Clients.ask(holdport.address(), "who?")).isEqualTo("v2");
            assertThat(ProcessHandle.of(pidA).map(ProcessHandle::isAlive).orElse(false)).as("a's process is gone").isFalse();
            assertThat(holdport.status("a").running()).isFalse();
            assertThat(holdport.status("b").running()).isTrue();
            assertThat(holdport.route().status().activeSlot()).isEqualTo("b");
        }
    }

    @Test
    void aNewVersionDyingWhileTheOldSlotDrainsEndsTheDrainAndRollsBack() throws Exception {
        try (TestHoldport holdport = new TestHoldport(dir)
                .install("a", Installs.serving("v1"))
                .install("b", Installs.serving("v2"))
                .routeSettings("drain.timeout = 60s")
                .start()) {
            holdport.awaitServing("v1");
            long pidA = holdport.pid("a");
            // A client connected to a keeps the drain of a waiting.
            try (Socket lingering = Clients.connect(holdport.address())) {
                assertThat(askOn(lingering, "first")).isEqualTo("v1");
                Deploy started = holdport.deployer().deploy("web", DeployRequest.of("b"));
                holdport.awaitStep(started, "drain a");

                ProcessHandle.of(holdport.pid("b")).orElseThrow().destroyForcibly();
                Deploy done = holdport.awaitEnd(started);

                assertThat(done.state()).as("%s", done).isEqualTo(DeployState.ROLLED_BACK);
                assertThat(done.failure()).get().satisfies(f -> {
                    assertThat(f.step()).isEqualTo("drain a");
                    assertThat(f.reason()).contains("slot b's new process").contains("signal 9").contains("after it was ready");
                });
                // Resumed (once a is found ready) when crash masking had paused the route for b's
                // crash by then, else switched.
                assertThat(done.steps()).filteredOn(DeployStep::rollback).extracting(DeployStep::name)
                        .isIn(List.of("ready a", "resume a"), List.of("switch a"));
                assertThat(askOn(lingering, "still there?")).as("the relay to a was never cut").isEqualTo("v1");
            }
            assertThat(Clients.ask(holdport.address(), "who?")).isEqualTo("v1");
            assertThat(holdport.route().status().paused()).isFalse();
            assertThat(holdport.route().status().activeSlot()).isEqualTo("a");
            assertThat(holdport.pid("a")).as("a was never touched").isEqualTo(pidA);
        }
    }

    @Test
    void aNewVersionDyingWhileTheOldSlotStopsIsNotResumedToButRolledBack() throws Exception {
        // a ignores SIGTERM, so its stop lasts until the test kills it: a window in which b dies.
        String stubbornV1 = "trap '' TERM\n" + Installs.serving("v1");
        try (TestHoldport holdport = new TestHoldport(dir)
                .install("a", stubbornV1)
                .install("b", Installs.serving("v2"))
                .slotSettings("a", "stop-timeout = 60s")
                .start()) {
            holdport.awaitServing("v1");
            Deploy started = holdport.deployer().deploy("web", DeployRequest.of("b"));
            holdport.awaitStep(started, "stop a");
            long pidA = holdport.pid("a");
            CompletableFuture<String> waiting = killBWhileAStopsWithAClientHeld(holdport, pidA);
            Deploy done = holdport.awaitEnd(started);

            assertThat(done.state()).as("%s", done).isEqualTo(DeployState.ROLLED_BACK);
            assertThat(done.failure()).get().satisfies(f -> {
                assertThat(f.step()).isEqualTo("stop a");
                assertThat(f.reason()).contains("slot b's new process").contains("signal 9").contains("this step had done: pid " + pidA);
            });
            assertThat(done.steps()).extracting(DeployStep::name).as("no resume to the dead b")
                    .containsExactly("start b", "ready b", "switch b", "drain a", "stop a", "start a", "ready a", "resume a");
            assertThat(done.steps()).filteredOn(DeployStep::rollback).extracting(DeployStep::name)
                    .isEqualTo(List.of("start a", "ready a", "resume a"));
            assertThat(waiting.get(30, TimeUnit.SECONDS)).as("the client held for b's crash").isEqualTo("v1");
            assertThat(holdport.route().status().paused()).isFalse();
            assertThat(holdport.route().status().activeSlot()).isEqualTo("a");
            assertThat(holdport.status("b").running()).isFalse();
        }
    }

    @Test
    void whenTheRollbackAfterTheSwitchCannotStartTheOldSlotTheRouteStaysPausedOnItForCrashMasking() throws Exception {
        Path aFailedOnce = dir.resolve("a-failed-once");
        Path aMayServe = dir.resolve("a-may-serve");
        try (TestHoldport holdport = new TestHoldport(dir)
                .install("a", "trap '' TERM\n" + Installs.serving("v1"))
                .install("b", Installs.serving("v2"))
                .slotSettings("a", "stop-timeout = 60s")
                .routeSettings("backend.retry-refused-for = 200ms")
                .start()) {
            holdport.awaitServing("v1");
            // Once stopped, a fails its next start (the rollback's); the start after that serves,
            // once the test lets it.
            Installs.install(holdport.slotPath("a"), Installs.failingOnceThenServingWhen(aFailedOnce, aMayServe, "v1"));
            Deploy started = holdport.deployer().deploy("web", DeployRequest.of("b"));
            holdport.awaitStep(started, "stop a");
            long pidA = holdport.pid("a");
            CompletableFuture<String> waiting = killBWhileAStopsWithAClientHeld(holdport, pidA);

            Deploy done = holdport.awaitEnd(started);

            assertThat(done.state()).as("%s", done).isEqualTo(DeployState.FAILED);
            assertThat(done.failure()).get().satisfies(f -> assertThat(f.reason())
                    .contains("the rollback failed too, at ready a").contains("disk full")
                    .contains("the route stays paused: crash masking restarts slot a"));
            assertThat(done.steps()).filteredOn(DeployStep::rollback).extracting(DeployStep::name)
                    .as("b was active: the route is switched back to a, still paused")
                    .containsExactly("start a", "ready a", "switch a");
            assertThat(holdport.route().status().paused()).isTrue();
            assertThat(holdport.route().status().activeSlot()).isEqualTo("a");
            assertThat(holdport.route().status().held()).isEqualTo(1);

            java.nio.file.Files.createFile(aMayServe);

            assertThat(waiting.get(60, TimeUnit.SECONDS)).as("the client held for b's crash").isEqualTo("v1");
            await().until(() -> !holdport.route().status().paused());
            assertThat(holdport.route().status().activeSlot()).isEqualTo("a");
            assertThat(holdport.status("a").restarts()).isEqualTo(1);
        }
    }

    @Test
    void aPauseTheOperatorMakesAfterResumingTheCrashPauseIsNotResumedAtTheEnd() throws Exception {
        Path bMayBeReady = dir.resolve("b-may-be-ready");
        try (TestHoldport holdport = new TestHoldport(dir)
                .install("a", Installs.serving("v1"))
                .install("b", Installs.serving("v2"))
                .slotSettings("b", "ready { type = exec, command = [test, -f, \"" + bMayBeReady + "\"] }")
                .start()) {
            holdport.awaitServing("v1");
            Deploy started = holdport.deployer().deploy("web", DeployRequest.of("b"));
            holdport.awaitStep(started, "ready b");
            // a, still active, dies: crash masking holds new clients, and the deploy is to resume
            // that pause when it ends.
            ProcessHandle.of(holdport.pid("a")).orElseThrow().destroyForcibly();
            await().until(() -> holdport.route().status().paused());
            // The operator ends that pause, then pauses the route for reasons of their own.
            java.time.Instant crashPause = holdport.route().status().pausedSince();
            holdport.route().resume();
            holdport.route().pause();
            assertThat(holdport.route().status().pausedSince()).as("a new pause").isNotEqualTo(crashPause);
            java.nio.file.Files.createFile(bMayBeReady);

            Deploy done = holdport.awaitEnd(started);

            assertThat(done.state()).as("%s", done).isEqualTo(DeployState.SUCCEEDED);
            assertThat(done.steps()).extracting(DeployStep::name).as("no resume of the operator's pause")
                    .containsExactly("start b", "ready b", "switch b", "drain a", "stop a");
            assertThat(holdport.route().status().paused()).as("the operator's pause goes on").isTrue();
            assertThat(holdport.route().status().activeSlot()).isEqualTo("b");
            CompletableFuture<String> waiting = holdport.askInBackground("waiting");
            await().until(() -> holdport.route().status().held() == 1);
            holdport.route().resume();
            assertThat(waiting.get(30, TimeUnit.SECONDS)).isEqualTo("v2");
        }
    }

    /** One request line on an open connection; returns the answer line. */
    private static String askOn(Socket socket, String request) throws Exception {
        socket.getOutputStream().write((request + "\n").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    }

    /**
     * During a deploy's "stop a" (a ignores SIGTERM): kills b, which is active, waits until crash
     * masking holds a new client, then kills a to end its stop. Returns that client's answer.
     */
    private static CompletableFuture<String> killBWhileAStopsWithAClientHeld(TestHoldport holdport, long pidA) {
        ProcessHandle.of(holdport.pid("b")).orElseThrow().destroyForcibly();
        // b was active: crash masking holds new clients at once.
        await().until(() -> holdport.route().status().paused());
        CompletableFuture<String> waiting = holdport.askInBackground("waiting");
        await().until(() -> holdport.route().status().held() == 1);
        ProcessHandle.of(pidA).orElseThrow().destroyForcibly(); // ends the stop of a
        return waiting;
    }
}
