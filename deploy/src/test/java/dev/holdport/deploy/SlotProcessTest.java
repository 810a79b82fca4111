package dev.holdport.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.holdport.config.HostPort;
import dev.holdport.config.ReadySettings;
import dev.holdport.config.SlotConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A supervised slot's process: environment, own process group, pid file, log, stop, adoption. */
class SlotProcessTest {

    @TempDir
    Path dir;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final ConcurrentLinkedQueue<ProcessExit> unexpected = new ConcurrentLinkedQueue<>();
    private final List<SlotProcess> started = new java.util.ArrayList<>();

    @AfterEach
    void killLeftovers() {
        for (SlotProcess p : started) {
            p.pid().ifPresent(pid -> ProcessHandle.of(pid).ifPresent(h -> {
                h.descendants().forEach(ProcessHandle::destroyForcibly);
                h.destroyForcibly();
            }));
        }
        timer.shutdownNow();
    }

    /** Installs {@code script} as slot a's run.sh, and returns a supervisor for it. */
    private SlotProcess slot(String script, List<String> stop, Duration stopTimeout) {
        Installs.install(dir.resolve("opt/a"), script);
        return supervisor(stop, stopTimeout);
    }

    /** Another supervisor of the same slot (as a restarted holdport would create). */
    private SlotProcess supervisor(List<String> stop, Duration stopTimeout) {
        SlotConfig config = new SlotConfig("a", new HostPort("127.0.0.1", 9123), dir.resolve("opt/a").toString(),
                List.of("./run.sh"), stop, stopTimeout, ReadySettings.defaults(), false);
        SlotProcess process = new SlotProcess("web", config, dir.resolve("state/slots/web"), timer, Runnable::run,
                (p, exit) -> unexpected.add(exit));
        started.add(process);
        return process;
    }

    @Test
    void runsInItsInstallPathWithTheSlotsEnvironmentInItsOwnProcessGroup() throws Exception {
        SlotProcess process = slot("""
                echo "cwd=$(pwd)"
                echo "route=$HOLDPORT_ROUTE slot=$HOLDPORT_SLOT host=$HOLDPORT_HOST port=$HOLDPORT_PORT"
                echo "to stderr" >&2
                exec sleep 600""", List.of(), Duration.ofSeconds(5));

        process.start();

        long pid = process.pid().orElseThrow();
        Path log = dir.resolve("state/slots/web/a.log");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(log) && Files.readString(log).contains("to stderr"));
        assertThat(Files.readString(log))
                .contains("cwd=" + dir.resolve("opt/a"))
                .contains("route=web slot=a host=127.0.0.1 port=9123");
        assertThat(Files.readString(dir.resolve("state/slots/web/a.pid"))).contains("pid=" + pid);
        if (Signals.groupsSupported()) {
            assertThat(processGroupOf(pid)).as("the process leads its own group").isEqualTo(pid);
        }
        assertThat(process.alive()).isTrue();

        String how = process.stop();

        assertThat(how).contains("stopped by SIGTERM");
        assertThat(process.alive()).isFalse();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(dir.resolve("state/slots/web/a.pid")).doesNotExist();
        assertThat(unexpected).as("a stop is not a crash").isEmpty();
    }

    @Test
    void aProcessIgnoringSigtermIsKilledWithItsWholeGroupAfterTheStopTimeout() throws Exception {
        // The script and its child ignore SIGTERM (an ignored signal stays ignored across exec).
        SlotProcess process = slot("trap '' TERM\n" + WITH_CHILD, List.of(), Duration.ofMillis(500));
        long child = startAndReadChild(process);

        String how = process.stop();

        assertThat(how).contains("killed (SIGKILL)");
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true));
    }

    /**
     * A wrapper that runs its server without exec exits at once on SIGTERM; the server, which got
     * the same signal, gets the rest of stop-timeout to shut down cleanly instead of SIGKILL the
     * moment its wrapper is gone, and the stop returns once it has.
     */
    @Test
    void whatTheLeaderLeftInItsGroupGetsTheRestOfTheStopTimeoutToShutDownCleanly() throws Exception {
        Path clean = dir.resolve("server-shut-down-cleanly");
        SlotProcess process = slot("""
                ( trap 'sleep 1; touch "%s"; exit 0' TERM; while :; do sleep 0.1; done ) &
                echo "child=$!"
                wait""".formatted(clean), List.of(), Duration.ofSeconds(20));
        long child = startAndReadChild(process);

        String how = process.stop();

        assertThat(how).contains("stopped by SIGTERM").contains("what it left in its group ended").doesNotContain("killed");
        assertThat(clean).as("the server's own shutdown ran to its end").exists();
        assertThat(Signals.runs(child)).as("gone when stop returns (a zombie at most, until its new parent reaps it)").isFalse();
    }

    /**
     * A wrapper script killed outright leaves its server running in its group, holding the port:
     * the restart that follows (crash masking's, with the route paused) first ends that group.
     */
    @Test
    void aRestartAfterTheLeaderDiedUnaskedFirstEndsWhatItLeftInItsGroup() throws Exception {
        long child = startScriptWithChildThenKillOnlyTheScript();

        process.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true));
        assertThat(process.alive()).isTrue();
    }

    /** The same leftover group, met by a stop (a deploy stopping the slot): the stop ends it. */
    @Test
    void aStopAfterTheLeaderDiedUnaskedEndsWhatItLeftInItsGroup() throws Exception {
        long child = startScriptWithChildThenKillOnlyTheScript();

        String how = process.stop();

        assertThat(how).contains("stopped what it left in its group");
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true));
    }

    private SlotProcess process;

    /** A script that runs a child in its own group and says the child's pid. */
    private static final String WITH_CHILD = """
            sleep 600 &
            echo "child=$!"
            wait""";

    /** Starts {@code process} and returns its child's pid, from the slot's log. */
    private long startAndReadChild(SlotProcess process) throws Exception {
        process.start();
        Path log = dir.resolve("state/slots/web/a.log");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(log).contains("child="));
        return Long.parseLong(Files.readString(log).replaceAll("(?s).*child=(\\d+).*", "$1"));
    }

    /** Starts a script that runs a child in its group, SIGKILLs the script alone, and returns the child's pid. */
    private long startScriptWithChildThenKillOnlyTheScript() throws Exception {
        process = slot(WITH_CHILD, List.of(), Duration.ofSeconds(5));
        long child = startAndReadChild(process);
        ProcessHandle.of(process.pid().orElseThrow()).orElseThrow().destroyForcibly();
        await().atMost(Duration.ofSeconds(60)).until(() -> !unexpected.isEmpty());
        assertThat(unexpected.peek().expected()).isFalse();
        assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false))
                .as("nothing ends the group before a restart or stop").isTrue();
        return child;
    }

    /** A stop command that cannot run (missing, or lost its execute bit) falls back to SIGTERM, not to SIGKILL after the timeout. */
    @Test
    void aStopCommandThatCannotRunFallsBackToSigterm() throws Exception {
        SlotProcess process = slot("exec sleep 600", List.of("./bin/stop-that-is-not-there"), Duration.ofSeconds(60));
        process.start();

        String how = process.stop();

        assertThat(how).contains("stopped by SIGTERM (the stop command could not run)").doesNotContain("SIGKILL");
        assertThat(process.alive()).isFalse();
    }

    @Test
    void aStopCommandGetsThePidAndRunsInTheInstallPath() throws Exception {
        SlotProcess process = slot("exec sleep 600", List.of("./stop.sh"), Duration.ofSeconds(5));
        Path stopScript = dir.resolve("opt/a/stop.sh");
        Files.writeString(stopScript, "#!/bin/sh\necho \"stop command for $HOLDPORT_PID in $(pwd)\"\nkill -TERM \"$HOLDPORT_PID\"\n");
        stopScript.toFile().setExecutable(true);
        process.start();
        long pid = process.pid().orElseThrow();

        String how = process.stop();

        assertThat(how).contains("stopped by stop command");
        assertThat(Files.readString(dir.resolve("state/slots/web/a.log")))
                .contains("stop command for " + pid + " in " + dir.resolve("opt/a"));
    }

    @Test
    void anUnexpectedExitIsReportedWithItsStatus() throws Exception {
        SlotProcess process = slot("exit 3", List.of(), Duration.ofSeconds(5));

        CompletableFuture<ProcessExit> exit = process.start();

        assertThat(exit.get(10, TimeUnit.SECONDS).describe()).isEqualTo("exited with status 3");
        await().atMost(Duration.ofSeconds(60)).until(() -> !unexpected.isEmpty());
        assertThat(unexpected.peek().expected()).isFalse();
        assertThat(process.alive()).isFalse();
        assertThat(process.lastExit()).map(ProcessExit::describe).contains("exited with status 3");
    }

    @Test
    void aLaterHoldportAdoptsTheProcessFromThePidFileAndCanStopIt() throws Exception {
        SlotProcess first = slot("exec sleep 600", List.of(), Duration.ofSeconds(5));
        first.start();
        long pid = first.pid().orElseThrow();

        SlotProcess second = supervisor(List.of(), Duration.ofSeconds(5));
        assertThat(second.adopt()).isTrue();
        assertThat(second.pid()).hasValue(pid);
        assertThat(second.status("web", 0, 0).adopted()).isTrue();
        assertThatThrownBy(second::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("already running");

        assertThat(second.stop()).contains("stopped by SIGTERM");
        assertThat(second.exit()).succeedsWithin(Duration.ofSeconds(10));
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void aPidFileNamingAnotherProcessIsNotAdopted() throws Exception {
        // The pid of a live process (this JVM), but another start time: the pid was reused.
        Path pidFile = dir.resolve("state/slots/web/a.pid");
        new PidFile(pidFile).write(new PidFile.Entry(ProcessHandle.current().pid(), Instant.parse("2001-01-01T00:00:00Z"), true));
        SlotProcess process = slot("exec sleep 600", List.of(), Duration.ofSeconds(5));

        assertThat(process.adopt()).isFalse();
        assertThat(pidFile).doesNotExist();

        Files.writeString(pidFile, "pid=not a number\n");
        assertThat(process.adopt()).as("a damaged pid file is ignored").isFalse();
    }

    @Test
    void startFailsClearlyWhenTheInstallPathIsMissing() {
        SlotConfig config = new SlotConfig("a", new HostPort("127.0.0.1", 9123), dir.resolve("nowhere").toString(),
                List.of("./run.sh"), List.of(), Duration.ofSeconds(1), ReadySettings.defaults(), false);
        SlotProcess process = new SlotProcess("web", config, dir.resolve("state"), timer, Runnable::run, (p, e) -> { });

        assertThatThrownBy(process::start).hasMessage("install path " + dir.resolve("nowhere") + " is not a directory");
    }


    private static long processGroupOf(long pid) throws Exception {
        // Field 5 of /proc/<pid>/stat, after the parenthesised command name.
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[2]);
    }
}
