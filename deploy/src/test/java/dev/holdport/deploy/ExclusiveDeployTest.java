package dev.holdport.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.holdport.proxy.testing.Clients;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 3: two versions that take the same exclusive file lock cannot overlap. A switch
 * deploy therefore fails (and rolls back); an exclusive deploy holds clients while a stops and b
 * starts, and costs none of them anything.
 */
class ExclusiveDeployTest {

    @TempDir
    Path dir;

    @Test
    void versionsSharingALockDeployWithExclusiveAndNoClientError() throws Exception {
        Path lock = dir.resolve("data.lock");
        try (TestHoldport holdport = new TestHoldport(dir)
                .install("a", Installs.servingWithLock("v1", lock))
                .install("b", Installs.servingWithLock("v2", lock))
                .start()) {
            holdport.awaitServing("v1");

            try (Load load = holdport.startLoad("v1")) {

                // Proof that the lock is real: b cannot start while a runs.
                Deploy overlapping = holdport.awaitEnd(holdport.deployer().deploy("web", DeployRequest.of("b", DeployMode.SWITCH)));
                assertThat(overlapping.state()).as("%s", overlapping).isEqualTo(DeployState.ROLLED_BACK);
                assertThat(overlapping.failure().orElseThrow().reason()).contains("exited with status 75");

                long heldBefore = holdport.route().status().totals().held();
                Deploy exclusive = holdport.awaitEnd(holdport.deployer().deploy("web", DeployRequest.of("b", DeployMode.EXCLUSIVE)));

                await().until(() -> load.answered("v2") > 50);
                load.stop();
                assertThat(exclusive.state()).as("%s", exclusive).isEqualTo(DeployState.SUCCEEDED);
                assertThat(exclusive.steps()).extracting(DeployStep::name)
                        .containsExactly("pause", "drain a", "stop a", "start b", "ready b", "resume b");
                assertThat(holdport.route().status().totals().held() - heldBefore)
                        .as("clients held while a stopped and b started").isPositive();
                assertThat(load.errors()).as("client errors").isEmpty();
            }
            assertThat(Clients.ask(holdport.address(), "who?")).isEqualTo("v2");
            assertThat(holdport.route().status().paused()).isFalse();
        }
    }

    @Test
    void aPauseTheOperatorMakesAfterResumingTheDeploysPauseIsLeftAlone() throws Exception {
        Path bMayBeReady = dir.resolve("b-may-be-ready");
        try (TestHoldport holdport = startWithBReadyOnlyWhen(bMayBeReady, Installs.serving("v1"), Installs.serving("v2"))) {
            Deploy started = exclusiveToBWaitingInItsReadyStep(holdport);
            // The operator ends the deploy's pause, then pauses the route for reasons of their own.
            holdport.route().resume();
            holdport.route().pause();
            Files.createFile(bMayBeReady);

            Deploy done = holdport.awaitEnd(started);

            assertThat(done.state()).as("%s", done).isEqualTo(DeployState.SUCCEEDED);
            assertThat(done.steps()).extracting(DeployStep::name)
                    .containsExactly("pause", "drain a", "stop a", "start b", "ready b", "switch b");
            assertThat(done.steps().get(5).detail()).contains("the route stays paused");
            assertThat(holdport.route().status().paused()).as("the operator's pause goes on").isTrue();
            assertThat(holdport.route().status().activeSlot()).isEqualTo("b");
        }
    }

    /**
     * holdport stops during an exclusive deploy's "ready b" (a stopped, b started and holding the
     * lock): the next holdport adopts b and must not start a beside it by its start-up rule.
     */
    @Test
    void afterAnExclusiveDeployCutShortTheNextHoldportDoesNotStartTheOldSlotBesideTheNewOne() throws Exception {
        Path lock = dir.resolve("data.lock");
        Path bMayBeReady = dir.resolve("b-may-be-ready");
        try (TestHoldport holdport = startWithBReadyOnlyWhen(bMayBeReady, Installs.servingWithLock("v1", lock),
                Installs.servingWithLock("v2", lock))) {
            exclusiveToBWaitingInItsReadyStep(holdport);
            long pidB = holdport.pid("b");

            holdport.restart();

            assertThat(holdport.route().status().paused()).as("left paused by the interrupted deploy").isTrue();
            assertThat(holdport.route().status().activeSlot()).isEqualTo("a");
            assertThat(holdport.pid("b")).as("b adopted").isEqualTo(pidB);
            assertThat(holdport.deployer().supervised("web").guard().recovering()).as("no start-up restart of a").isFalse();
            assertThat(holdport.status("a").running()).isFalse();

            // The operator decides: here, finish the move to b.
            Files.createFile(bMayBeReady);
            Deploy done = holdport.awaitEnd(holdport.deployer().deploy("web", DeployRequest.of("b", DeployMode.EXCLUSIVE)));
            assertThat(done.state()).as("%s", done).isEqualTo(DeployState.SUCCEEDED);
            assertThat(holdport.route().status().paused()).as("the pause it found is not the new deploy's to end").isTrue();
            holdport.route().resume();
            assertThat(Clients.ask(holdport.address(), "who?")).isEqualTo("v2");
        }
    }

    /**
     * The pause an interrupted deploy left ends with the operator's resume: a pause made later,
     * found by a later holdport with the active slot down, is not taken for that deploy's, and
     * the start-up rule starts the slot again.
     */
    @Test
    void onceTheRouteWasResumedAnOldInterruptedDeployNoLongerHoldsBackTheStartUpRule() throws Exception {
        Path bMayBeReady = dir.resolve("b-may-be-ready");
        try (TestHoldport holdport = startWithBReadyOnlyWhen(bMayBeReady, Installs.serving("v1"), Installs.serving("v2"))) {
            exclusiveToBWaitingInItsReadyStep(holdport);
            holdport.restart();
            assertThat(holdport.deployer().supervised("web").guard().recovering()).as("stands aside once").isFalse();

            // The operator ends that pause, later pauses for reasons of their own, and holdport
            // restarts while a is still down.
            holdport.route().resume();
            holdport.route().pause();
            holdport.restart();

            await().until(() -> holdport.status("a").running()); // the start-up rule started a
            await().until(() -> !holdport.route().status().paused() || holdport.route().status().activeSlot().equals("a"));
            assertThat(holdport.route().status().activeSlot()).isEqualTo("a");
        }
    }

    /** Slots a and b installed with these versions, b counted ready only once {@code bMayBeReady} exists; a serving v1. */
    private TestHoldport startWithBReadyOnlyWhen(Path bMayBeReady, String versionA, String versionB) throws Exception {
        TestHoldport holdport = new TestHoldport(dir)
                .install("a", versionA)
                .install("b", versionB)
                .slotSettings("b", "ready { type = exec, command = [test, -f, \"" + bMayBeReady + "\"] }")
                .start();
        try {
            holdport.awaitServing("v1");
            return holdport;
        } catch (RuntimeException | Error e) {
            holdport.close();
            throw e;
        }
    }

    /** An exclusive deploy to b, waiting in its "ready b" step: a stopped, b running, the route paused. */
    private static Deploy exclusiveToBWaitingInItsReadyStep(TestHoldport holdport) {
        Deploy started = holdport.deployer().deploy("web", DeployRequest.of("b", DeployMode.EXCLUSIVE));
        holdport.awaitStep(started, "ready b");
        return started;
    }
}
