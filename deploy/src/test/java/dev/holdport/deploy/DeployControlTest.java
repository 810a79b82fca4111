package dev.holdport.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.holdport.proxy.UnknownSlotException;
import dev.holdport.proxy.testing.Clients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 5: one deploy at a time per route, cancel rolls back, and the history (and the
 * running processes) survive a holdport restart. Also: restart mode, rollback to the previous
 * slot, stop-on-exit, and the requests refused before anything is touched.
 */
class DeployControlTest {

    @TempDir
    Path dir;

    @Test
    void aSecondDeployIsRefusedWithTheRunningIdAndCancelRollsBack() throws Exception {
        try (TestHoldport holdport = new TestHoldport(dir)
                .install("a", Installs.serving("v1"))
                .install("b", Installs.neverReady())
                .slotSettings("b", "ready.timeout = 10m")
                .start()) {
            holdport.awaitServing("v1");
            List<Deploy> progress = new ArrayList<>();
            holdport.deployer().onChange(d -> {
                synchronized (progress) {
                    progress.add(d);
                }
            });

            Deploy first = holdport.deployer().deploy("web", DeployRequest.of("b"));

            DeployConflictException conflict = catchThrowableOfType(DeployConflictException.class,
                    () -> holdport.deployer().deploy("web", DeployRequest.of("b")));
            assertThat(conflict.runningId()).isEqualTo(first.id());
            assertThat(conflict.getMessage()).contains(first.id());
            assertThatThrownBy(() -> holdport.deployer().rollback("web", Optional.empty(), Optional.empty()))
                    .isInstanceOf(DeployConflictException.class);
            assertThat(holdport.deployer().runningOn("web")).map(Deploy::id).contains(first.id());

            holdport.awaitStep(first, "ready b");
            assertThat(holdport.deployer().cancel(first.id())).isPresent();
            Deploy cancelled = holdport.awaitEnd(first);

            assertThat(cancelled.state()).as("%s", cancelled).isEqualTo(DeployState.CANCELLED);
            assertThat(cancelled.failure()).get().satisfies(f -> {
                assertThat(f.step()).isEqualTo("ready b");
                assertThat(f.reason()).isEqualTo("cancelled");
            });
            assertThat(cancelled.steps()).extracting(DeployStep::name, DeployStep::outcome).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("start b", StepOutcome.OK),
                    org.assertj.core.groups.Tuple.tuple("ready b", StepOutcome.CANCELLED),
                    org.assertj.core.groups.Tuple.tuple("stop b", StepOutcome.OK));
            assertThat(holdport.status("b").running()).isFalse();
            assertThat(Clients.ask(holdport.address(), "who?")).isEqualTo("v1");
            assertThat(holdport.deployer().runningOn("web")).isEmpty();
            synchronized (progress) {
                assertThat(progress).extracting(Deploy::id).containsOnly(first.id());
                assertThat(progress.get(progress.size() - 1)).isEqualTo(cancelled);
                assertThat(progress).anySatisfy(d -> assertThat(d.currentStep()).map(DeployStep::name).contains("ready b"));
            }
        }
    }

    /** A cancel that comes while the deploy is already rolling back changes nothing, and says so. */
    @Test
    void aCancelDuringTheRollbackChangesNothingAndSaysSo() throws Exception {
        Path mayStop = dir.resolve("may-stop");
        try (TestHoldport holdport = new TestHoldport(dir)
                .install("a", Installs.serving("v1"))
                .install("b", Installs.neverReady())
                .slotSettings("b", "ready.timeout = 10m, stop = [\"./stop.sh\"]")
                .start()) {
            // b's stop command holds the rollback's "stop b" until the test lets it go.
            Path stop = holdport.slotPath("b").resolve("stop.sh");
            Files.writeString(stop, "#!/bin/sh\n" + Installs.waitingFor(mayStop) + "kill -TERM \"$HOLDPORT_PID\"\n");
            assertThat(stop.toFile().setExecutable(true)).isTrue();
            holdport.awaitServing("v1");
            Deploy deploy = holdport.deployer().deploy("web", DeployRequest.of("b"));
            holdport.awaitStep(deploy, "ready b");
            assertThat(holdport.deployer().cancel(deploy.id()).orElseThrow().takesEffect()).isTrue();

            holdport.awaitStep(deploy, "stop b");
            Deployer.Cancellation again = holdport.deployer().cancel(deploy.id()).orElseThrow();

            assertThat(again.takesEffect()).as("already rolling back").isFalse();
            assertThat(again.deploy().finished()).isFalse();
            Files.createFile(mayStop);
            assertThat(holdport.awaitEnd(deploy).state()).isEqualTo(DeployState.CANCELLED);
            assertThat(holdport.deployer().cancel(deploy.id()).orElseThrow().takesEffect()).as("ended").isFalse();
        }
    }

    @Test
    void historyAndProcessesSurviveAHoldportRestartAndRollbackReturnsToThePreviousSlot() throws Exception {
        try (TestHoldport holdport = new TestHoldport(dir)
                .install("a", Installs.serving("v1"))
                .install("b", Installs.serving("v2"))
                .start()) {
            holdport.awaitServing("v1");
            Deploy toB = holdport.awaitEnd(holdport.deployer().deploy("web", DeployRequest.of("b")));
            assertThat(toB.state()).isEqualTo(DeployState.SUCCEEDED);
            long pidB = holdport.pid("b");

            holdport.restart();

            assertThat(holdport.deployer().deploys()).containsExactly(toB);
            assertThat(holdport.deployer().find(toB.id())).contains(toB);
            assertThat(holdport.pid("b")).as("the running b was adopted, not started again").isEqualTo(pidB);
            assertThat(holdport.status("b").adopted()).isTrue();
            assertThat(holdport.route().status().activeSlot()).as("from the state file").isEqualTo("b");
            assertThat(Clients.ask(holdport.address(), "who?")).isEqualTo("v2");

            Deploy back = holdport.awaitEnd(holdport.deployer().rollback("web", Optional.empty(), Optional.empty()));

            assertThat(back.state()).as("%s", back).isEqualTo(DeployState.SUCCEEDED);
            assertThat(back.rollback()).isTrue();
            assertThat(back.slot()).isEqualTo("a");
            assertThat(back.mode()).as("the mode of the deploy it undoes").isEqualTo(DeployMode.SWITCH);
            assertThat(Clients.ask(holdport.address(), "who?")).isEqualTo("v1");
            assertThat(ProcessHandle.of(pidB).map(ProcessHandle::isAlive).orElse(false))
                    .as("the adopted process was stopped by the rollback").isFalse();
            assertThat(holdport.deployer().deploys()).extracting(Deploy::id).containsExactly(back.id(), toB.id());
        }
    }

    @Test
    void restartModeReplacesTheActiveProcessInPlaceUnderLoad() throws Exception {
        try (TestHoldport holdport = new TestHoldport(dir)
                .install("a", Installs.serving("v1"))
                .install("b", Installs.serving("unused"))
                .start()) {
            holdport.awaitServing("v1");
            long before = holdport.pid("a");
            Installs.install(holdport.slotPath("a"), Installs.serving("v1.1"));

            try (Load load = holdport.startLoad("v1")) {
                Deploy started = holdport.deployer().deploy("web", DeployRequest.of("a"));
                assertThat(started.mode()).as("a is active: restart by default").isEqualTo(DeployMode.RESTART);
                Deploy done = holdport.awaitEnd(started);
                await().until(() -> load.answered("v1.1") > 50);
                load.stop();

                assertThat(done.state()).as("%s", done).isEqualTo(DeployState.SUCCEEDED);
                assertThat(done.steps()).extracting(DeployStep::name)
                        .containsExactly("pause", "drain a", "stop a", "start a", "ready a", "resume a");
                assertThat(load.errors()).as("client errors").isEmpty();
            }
            assertThat(holdport.pid("a")).isNotEqualTo(before);
            assertThat(holdport.status("b").running()).isFalse();
        }
    }

    @Test
    void stopOnExitStopsTheProcessWhenHoldportCloses() throws Exception {
        long pid;
        try (TestHoldport holdport = new TestHoldport(dir)
                .install("a", Installs.serving("v1"))
                .install("b", Installs.serving("v2"))
                .slotSettings("a", "stop-on-exit = true")
                .start()) {
            holdport.awaitServing("v1");
            pid = holdport.pid("a");
            holdport.deployer().close();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        }
    }

    @Test
    void refusesDeploysThatCannotWorkBeforeTouchingAnything() throws Exception {
        try (TestHoldport holdport = new TestHoldport(dir)
                .install("a", Installs.serving("v1"))
                .install("b", Installs.serving("v2"))
                .start()) {
            holdport.awaitServing("v1");
            Deployer deployer = holdport.deployer();

            assertThatThrownBy(() -> deployer.deploy("api", DeployRequest.of("b")))
                    .isInstanceOf(UnknownRouteException.class).hasMessage("no route \"api\" (routes: web)");
            assertThatThrownBy(() -> deployer.deploy("web", DeployRequest.of("c")))
                    .isInstanceOf(UnknownSlotException.class).hasMessageContaining("has no slot \"c\"");
            assertThatThrownBy(() -> deployer.deploy("web", DeployRequest.of("a", DeployMode.SWITCH)))
                    .isInstanceOf(InvalidDeployException.class)
                    .hasMessageContaining("slot a is already active").hasMessageContaining("use mode restart");
            assertThatThrownBy(() -> deployer.deploy("web", DeployRequest.of("b", DeployMode.RESTART)))
                    .isInstanceOf(InvalidDeployException.class)
                    .hasMessageContaining("restart redeploys the active slot (a) in place");
            assertThatThrownBy(() -> DeployMode.parse("rolling"))
                    .hasMessage("mode \"rolling\" is not one of switch, exclusive, restart");
            assertThat(DeployMode.parse("Exclusive")).isEqualTo(DeployMode.EXCLUSIVE);
            assertThat(deployer.deploys()).as("nothing was started").isEmpty();
            assertThat(holdport.status("b").running()).isFalse();
        }
    }
}
