package dev.holdport.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.holdport.proxy.testing.Clients;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Acceptance 1 (and the start-up rule): a switch deploy under continuous load costs no client anything. */
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

            try (Load load = new Load(holdport.address(), 6, Duration.ofSeconds(60))) {
                await().until(() -> load.answered("v1") > 50);

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
}
