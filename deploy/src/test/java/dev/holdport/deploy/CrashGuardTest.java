package dev.holdport.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 4: kill -9 of the active supervised backend under load. Only the requests in flight
 * on its live connections fail; new connections wait (the route pauses at once) and are served
 * once the restarted process is ready.
 */
class CrashGuardTest {

    private static final int CLIENTS = 8;

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

            try (Load load = new Load(holdport.address(), CLIENTS, Duration.ofSeconds(60))) {
                await().until(() -> load.served() > 200);
                long heldBefore = holdport.route().status().totals().held();

                ProcessHandle.of(killed).orElseThrow().destroyForcibly(); // SIGKILL

                await().atMost(Duration.ofSeconds(60)).until(() -> holdport.status("a").restarts() == 1
                        && holdport.status("a").running() && !holdport.route().status().paused());
                int errorsAtRecovery = load.errors().size();
                long servedAtRecovery = load.served();
                await().until(() -> load.served() > servedAtRecovery + 200);
                load.stop();

                assertThat(holdport.status("a").crashes()).isEqualTo(1);
                assertThat(holdport.status("a").lastExit()).hasValueSatisfying(e -> assertThat(e).contains("signal 9"));
                assertThat(holdport.pid("a")).isNotEqualTo(killed);
                assertThat(holdport.route().status().totals().held() - heldBefore)
                        .as("new connections were held while a restarted").isPositive();
                assertThat(load.errors())
                        .as("only requests in flight on the killed process's connections fail (one per client at most)")
                        .hasSizeLessThanOrEqualTo(CLIENTS)
                        .allSatisfy(e -> assertThat(e).containsAnyOf("closed without an answer", "Connection reset"));
                assertThat(load.errors()).as("no error once the restart was ready").hasSize(errorsAtRecovery);
                System.out.printf("kill -9 under load: %d requests served, %d in flight failed, %d connections held during the restart%n",
                        load.served(), load.errors().size(), holdport.route().status().totals().held() - heldBefore);
            }
            assertThat(holdport.route().status().activeSlot()).isEqualTo("a");
        }
    }
}
