package dev.holdport.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.holdport.proxy.RouteStatus;
import dev.holdport.proxy.testing.Clients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A pause crash masking owns survives a holdport restart as crash masking's: the next holdport
 * resumes the route once the active slot is ready. A pause an operator made is never resumed by
 * crash masking, before or after a restart.
 */
class CrashMaskingRestartTest {

    @TempDir
    Path dir;

    @Test
    void afterCrashMaskingTookOverAFailedRollbackTheNextHoldportStartsTheSlotAndResumesTheRoute() throws Exception {
        Path bMayExit = dir.resolve("b-may-exit");
        Path aFailedOnce = dir.resolve("a-failed-once");
        Path aMayServe = dir.resolve("a-may-serve");
        try (TestHoldport holdport = new TestHoldport(dir)
                .install("a", Installs.serving("v1"))
                .install("b", Installs.waitingFor(bMayExit) + Installs.exitingAtStart())
                .start()) {
            holdport.awaitServing("v1");
            // Once stopped, a fails its next start (the rollback's); later starts serve once the test lets them.
            Installs.install(holdport.slotPath("a"), Installs.failingOnceThenServingWhen(aFailedOnce, aMayServe, "v1"));
            Deploy started = holdport.deployer().deploy("web", DeployRequest.of("b", DeployMode.EXCLUSIVE));
            holdport.awaitStep(started, "ready b");
            Files.createFile(bMayExit);
            Deploy done = holdport.awaitEnd(started);
            assertThat(done.state()).as("%s", done).isEqualTo(DeployState.FAILED);
            assertThat(done.failure()).get().satisfies(f -> assertThat(f.routeLeftPaused()).isTrue());
            // Crash masking has the route, paused, and a's restart waits for the test.
            await().until(() -> holdport.status("a").restarts() == 1 && holdport.status("a").running());
            Path pauseFile = holdport.stateDir().resolve("slots/web/crash-masking-pause.json");
            assertThat(pauseFile).exists();
            long waiting = holdport.pid("a");

            // holdport stops before a is ready; a's process goes too while holdport is down.
            Logger logger = (Logger) LoggerFactory.getLogger(CrashGuard.class);
            ListAppender<ILoggingEvent> logs = new ListAppender<>();
            logs.start();
            logger.addAppender(logs);
            try {
                holdport.restart(() -> {
                    ProcessHandle a = ProcessHandle.of(waiting).orElseThrow();
                    a.destroyForcibly();
                    try {
                        a.onExit().get(30, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new AssertionError("slot a's process " + waiting + " did not exit after SIGKILL", e);
                    }
                });
            } finally {
                logger.detachAppender(logs);
            }

            assertThat(holdport.route().status().paused()).as("restored paused").isTrue();
            assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage)
                    .anySatisfy(m -> assertThat(m).contains("route web: starts paused by crash masking, as the last"
                            + " holdport left it").contains("crash masking resumes it once slot a is ready"));
            await().until(() -> holdport.status("a").running());
            assertThat(holdport.pid("a")).as("crash masking started a again").isNotEqualTo(waiting);
            CompletableFuture<String> held = holdport.askInBackground("held");
            await().until(() -> holdport.route().status().held() == 1);

            Files.createFile(aMayServe);

            assertThat(held.get(60, TimeUnit.SECONDS)).as("held, then served once a is ready").isEqualTo("v1");
            await().until(() -> !holdport.route().status().paused());
            assertThat(holdport.route().status().activeSlot()).isEqualTo("a");
            assertThat(holdport.status("a").restarts()).isEqualTo(1);
            assertThat(pauseFile).as("crash masking owns no pause any more").doesNotExist();
        }
    }

    /**
     * a's leader dies and leaves a process in its group that takes its time to stop: crash
     * masking ends it before restarting a, but not under the route's lock, so a resume meanwhile
     * is not held up.
     */
    @Test
    void endingWhatADeadLeaderLeftDoesNotHoldUpAResume() throws Exception {
        Path gotTerm = dir.resolve("leftover-got-sigterm");
        Path mayEnd = dir.resolve("leftover-may-end");
        String leftover = "( trap 'touch \"" + gotTerm + "\"; while [ ! -e \"" + mayEnd + "\" ]; do sleep 0.05; done; exit 0' TERM;"
                + " while :; do sleep 0.1; done ) &\n";
        try (TestHoldport holdport = new TestHoldport(dir)
                .install("a", leftover + Installs.serving("v1"))
                .install("b", Installs.serving("v2"))
                .slotSettings("a", "stop-timeout = 60s")
                .start()) {
            holdport.awaitServing("v1");
            ProcessHandle.of(holdport.pid("a")).orElseThrow().destroyForcibly();
            await().atMost(java.time.Duration.ofSeconds(30)).until(() -> Files.exists(gotTerm)); // crash masking is ending it

            CompletableFuture<RouteStatus> resumed = CompletableFuture.supplyAsync(() -> holdport.route().resume());

            assertThat(resumed.get(10, TimeUnit.SECONDS).paused()).as("answered while the leftover still stops").isFalse();
            assertThat(mayEnd).doesNotExist();
            Files.createFile(mayEnd);
            await().atMost(java.time.Duration.ofSeconds(60)).until(() -> holdport.status("a").running());
        }
    }

    /**
     * The operator moves the route to b while crash masking waits for a restarted a that never
     * becomes ready: the recovery ends, and that a is stopped rather than left beside b.
     */
    @Test
    void makingAnotherSlotActiveEndsTheRecoveryOfTheOldOne() throws Exception {
        try (TestHoldport holdport = new TestHoldport(dir)
                .install("a", Installs.serving("v1"))
                .install("b", Installs.serving("v2"))
                .start()) {
            holdport.awaitServing("v1");
            CrashGuard guard = holdport.deployer().supervised("web").guard();
            long first = holdport.pid("a");
            // a dies, and its restart runs but never listens: crash masking waits for it.
            Installs.install(holdport.slotPath("a"), Installs.neverReady());
            ProcessHandle.of(first).orElseThrow().destroyForcibly();
            await().until(() -> holdport.status("a").restarts() == 1 && holdport.status("a").running()
                    && holdport.status("a").pid().orElse(first) != first);
            assertThat(guard.recovering()).isTrue();

            holdport.route().switchTo("b");

            assertThat(guard.recovering()).as("ended when b became active").isFalse();
            assertThat(holdport.crashMaskingPauseFile()).as("crash masking no longer claims the pause").doesNotExist();
            assertThat(holdport.route().status().paused()).as("whoever switched resumes").isTrue();
            await().until(() -> !holdport.status("a").running()); // the restarted a, never ready, is stopped
            assertThat(holdport.status("a").restarts()).as("and not restarted again").isEqualTo(1);
        }
    }

    @Test
    void anOperatorsPauseIsNeverResumedByCrashMaskingNeitherBeforeNorAfterARestart() throws Exception {
        Path aMayServe = dir.resolve("a-may-serve");
        try (TestHoldport holdport = new TestHoldport(dir)
                .install("a", Installs.serving("v1"))
                .install("b", Installs.serving("v2"))
                .start()) {
            holdport.awaitServing("v1");
            Path pauseFile = holdport.stateDir().resolve("slots/web/crash-masking-pause.json");
            // a dies; its restart does not listen until the test lets it.
            Installs.install(holdport.slotPath("a"), Installs.waitingFor(aMayServe) + Installs.serving("v1"));
            ProcessHandle.of(holdport.pid("a")).orElseThrow().destroyForcibly();
            await().until(() -> holdport.status("a").restarts() == 1 && holdport.route().status().paused());
            assertThat(pauseFile).as("crash masking owns the pause").exists();

            // The operator ends crash masking's pause, then pauses the route for reasons of their own.
            holdport.route().resume();
            assertThat(pauseFile).as("ownership dropped before resume() returned").doesNotExist();
            holdport.route().pause();
            // What a SIGKILL of holdport right now would leave on disk: the route paused, and no
            // claim that the pause is crash masking's.
            assertThat(holdport.savedState()).containsEntry("route.web.paused", "true");
            assertThat(pauseFile).doesNotExist();

            assertThat(guardLogUntilSlotAIsReadyAgainAfter(() -> Files.createFile(aMayServe))).as("a is ready, and the operator's pause goes on")
                    .anySatisfy(m -> assertThat(m).contains("(the route stays paused: crash masking did not pause it)"));
            assertThat(holdport.route().status().paused()).isTrue();

            holdport.restart();

            assertThat(holdport.route().status().paused()).as("restored paused").isTrue();
            assertThat(pauseFile).doesNotExist();
            CompletableFuture<String> held = holdport.askInBackground("held");
            await().until(() -> holdport.route().status().held() == 1);
            // A crash now: crash masking restarts a, and leaves the operator's pause alone.
            long adopted = holdport.pid("a");
            assertThat(guardLogUntilSlotAIsReadyAgainAfter(() -> ProcessHandle.of(adopted).orElseThrow().destroyForcibly()))
                    .anySatisfy(m -> assertThat(m).contains("(the route stays paused: crash masking did not pause it)"));
            assertThat(holdport.route().status().paused()).isTrue();
            assertThat(holdport.route().status().held()).as("the client waits for the operator").isEqualTo(1);
            assertThat(held).isNotDone();

            holdport.route().resume();

            assertThat(held.get(30, TimeUnit.SECONDS)).isEqualTo("v1");
            assertThat(Clients.ask(holdport.address(), "who?")).isEqualTo("v1");
        }
    }

    /**
     * Does {@code trigger}, then collects the crash guard's log lines until it says slot a is
     * ready again (it has then decided whether to resume).
     */
    private static java.util.List<String> guardLogUntilSlotAIsReadyAgainAfter(Callable<?> trigger) throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(CrashGuard.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        try {
            trigger.call();
            await().until(() -> logs.list.stream().anyMatch(e -> e.getFormattedMessage().contains("slot a is ready again")));
            return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        } finally {
            logger.detachAppender(logs);
        }
    }
}
