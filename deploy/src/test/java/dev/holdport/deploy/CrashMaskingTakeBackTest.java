package dev.holdport.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.holdport.proxy.testing.Clients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * What the next holdport does with {@code crash-masking-pause.json} at start-up. It takes the
 * pause back only for a route restored paused on the supervised slot the file names; every other
 * file is stale, deleted, and the route stays as restored. Each test runs one real slot process,
 * which the restarts adopt.
 */
class CrashMaskingTakeBackTest {

    @TempDir
    Path dir;

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger guardLog = (Logger) LoggerFactory.getLogger(CrashGuard.class);
    private final Logger fileLog = (Logger) LoggerFactory.getLogger(CrashMaskingPauseFile.class);

    @BeforeEach
    void captureLogs() {
        logs.start();
        guardLog.addAppender(logs);
        fileLog.addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        guardLog.detachAppender(logs);
        fileLog.detachAppender(logs);
    }

    @Test
    void aRouteRestoredOpenStaysOpenAndTheFileGoes() throws Exception {
        try (TestHoldport holdport = servingA()) {
            holdport.restart(() -> claim(holdport, "a"));

            assertThat(holdport.route().status().paused()).isFalse();
            assertThat(holdport.crashMaskingPauseFile()).doesNotExist();
            assertThat(messages()).anySatisfy(m -> assertThat(m).contains("but the route starts open on slot a"));
            assertThat(Clients.ask(holdport.address(), "who?")).isEqualTo("v1");
        }
    }

    @Test
    void aFileNamingAnotherSlotLeavesTheRoutePausedAndGoes() throws Exception {
        try (TestHoldport holdport = servingA()) {
            holdport.route().pause();
            holdport.restart(() -> claim(holdport, "b"));

            assertThat(holdport.route().status().paused()).isTrue();
            assertThat(holdport.route().status().activeSlot()).isEqualTo("a");
            assertThat(holdport.crashMaskingPauseFile()).doesNotExist();
            assertThat(messages()).anySatisfy(m -> assertThat(m)
                    .contains("held the route paused for slot b").contains("route starts paused on slot a"));
        }
    }

    @Test
    void aSlotNoLongerSupervisedLeavesTheRoutePausedAndTheFileGoes() throws Exception {
        try (TestHoldport holdport = servingA()) {
            holdport.route().pause();
            holdport.slotSettings("a", "start = null");
            holdport.restart(() -> claim(holdport, "a"));

            assertThat(holdport.route().status().paused()).isTrue();
            assertThat(holdport.crashMaskingPauseFile()).doesNotExist();
            assertThat(messages()).anySatisfy(m -> assertThat(m).contains("(not supervised: no start command)"));
        }
    }

    @Test
    void anUnreadableOrForeignFileLeavesTheRoutePausedAndGoes() throws Exception {
        try (TestHoldport holdport = servingA()) {
            holdport.route().pause();
            for (String text : List.of(
                    "{\"route\": \"web\", \"slot\": \"a\", \"paused_si", // cut short: a write that never finished
                    "",
                    "{\"route\": \"api\", \"slot\": \"a\", \"paused_since\": \"2025-01-14T12:03:01Z\", \"why\": \"x\"}")) {
                holdport.restart(() -> write(holdport.crashMaskingPauseFile(), text));

                assertThat(holdport.route().status().paused()).as("%s", text).isTrue();
                assertThat(holdport.crashMaskingPauseFile()).as("%s", text).doesNotExist();
            }
            assertThat(messages()).filteredOn(m -> m.contains("crash-masking-pause.json is unreadable")).hasSize(3)
                    .anySatisfy(m -> assertThat(m).contains("it is for route \"api\", not web"));
            assertThat(messages()).noneSatisfy(m -> assertThat(m).contains("starts paused by crash masking"));
        }
    }

    @Test
    void aProcessWhosePidFileWasLostIsLeftAloneAndTheRouteResumesOnceItIsReady() throws Exception {
        try (TestHoldport holdport = servingA()) {
            long serving = holdport.pid("a");
            holdport.route().pause();
            // As after a SIGKILL of holdport that lost the pid file while the process kept serving.
            holdport.restart(() -> {
                claim(holdport, "a");
                delete(holdport.stateDir().resolve("slots/web/a.pid"));
            });

            await().until(() -> !holdport.route().status().paused());
            assertThat(holdport.crashMaskingPauseFile()).doesNotExist();
            assertThat(messages()).anySatisfy(m -> assertThat(m).contains("something no pid file names answers on")
                    .contains("resumes the route once slot a's readiness check passes there"));
            assertThat(holdport.status("a").running()).as("not adopted").isFalse();
            assertThat(holdport.status("a").restarts()).isZero();
            assertThat(ProcessHandle.of(serving).map(ProcessHandle::isAlive)).as("not stopped").contains(true);
            assertThat(Clients.ask(holdport.address(), "who?")).isEqualTo("v1");
        }
    }

    @Test
    void waitingForAProcessWhosePidFileWasLostEndsWhenTheOperatorEndsThePause() throws Exception {
        try (TestHoldport holdport = servingA()) {
            holdport.route().pause();
            // From now on a's readiness check fails (it speaks no HTTP) while its port answers.
            holdport.slotSettings("a", "ready { type = http, url = \"/healthz\", timeout = 1s }");
            holdport.restart(() -> {
                claim(holdport, "a");
                delete(holdport.stateDir().resolve("slots/web/a.pid"));
            });
            assertThat(holdport.route().status().paused()).isTrue();
            assertThat(holdport.crashMaskingPauseFile()).as("crash masking owns the pause while it waits").exists();

            holdport.route().resume();

            assertThat(holdport.crashMaskingPauseFile()).as("dropped before resume() returned").doesNotExist();
            assertThat(messages()).anySatisfy(m -> assertThat(m).contains("was ended by someone else"))
                    .anySatisfy(m -> assertThat(m).contains("crash masking stops waiting for the process no pid file"
                            + " names on slot a's address"));
            assertThat(messages()).as("it waited with backoff, without starting anything").noneSatisfy(m -> assertThat(m)
                    .contains("restarting slot a"));
            holdport.route().pause();
            holdport.restart();
            assertThat(holdport.route().status().paused()).as("the operator's pause").isTrue();
            assertThat(holdport.crashMaskingPauseFile()).doesNotExist();
        }
    }

    /** Slot a serves v1 (started by the start-up rule); b is installed but never started. */
    private TestHoldport servingA() throws Exception {
        TestHoldport holdport = new TestHoldport(dir)
                .install("a", Installs.serving("v1"))
                .install("b", Installs.serving("v2"))
                .start();
        try {
            holdport.awaitServing("v1");
            return holdport;
        } catch (RuntimeException | Error e) {
            holdport.close();
            throw e;
        }
    }

    /** Writes the file as a holdport whose crash masking owned the pause for {@code slot} would have. */
    private static void claim(TestHoldport holdport, String slot) {
        new CrashMaskingPauseFile("web", holdport.stateDir().resolve("slots/web"))
                .write(new CrashMaskingPauseFile.Saved(slot, Instant.parse("2025-01-14T12:03:01Z"), "pid 4711 was killed"));
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> messages() {
        return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
}
