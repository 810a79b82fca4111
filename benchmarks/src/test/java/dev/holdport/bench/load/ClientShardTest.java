package dev.holdport.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.holdport.bench.process.PidFile;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real client shards: {@code held-clients} child JVMs (this build's java and classes) against a
 * real echo server on loopback that holds its connections unread until it resumes, as a paused
 * holdport does.
 */
class ClientShardTest {

    private static final Duration LONG_ENOUGH = Duration.ofMinutes(2);

    @TempDir
    Path dir;

    @Test
    void aShardReportsItsConnectionsWhileHeldAndItsAnswersAfterTheResumeThenExits() throws Exception {
        PidFile pids = new PidFile(dir.resolve("pids"));
        try (PausedEchoServer server = new PausedEchoServer();
             ClientShard shard = ClientShard.start("held-clients-test", server.address(), 300,
                     InetAddress.getLoopbackAddress(), LONG_ENOUGH, dir.resolve("shard.log"), pids)) {
            assertThat(Files.readString(dir.resolve("pids"))).contains(shard.pid() + " held-clients-test");

            shard.awaitConnected(System.nanoTime() + LONG_ENOUGH.toNanos());
            assertThat(shard.count()).isEqualTo(new HeldCount(300, 0, 0, 0));
            assertThat(shard.status().phase()).isEqualTo(ShardStatus.Phase.CONNECTED);
            await().atMost(30, TimeUnit.SECONDS).until(() -> server.accepted() == 300);

            long resumed = HeldCount.nowEpochMicros();
            server.resume();
            HeldCount done = shard.awaitAnswers(LONG_ENOUGH);

            assertThat(done.connected()).isEqualTo(300);
            assertThat(done.answered()).isEqualTo(300);
            assertThat(done.failed()).isZero();
            assertThat(done.lastAnswerEpochMicros()).isGreaterThanOrEqualTo(resumed);
            assertThat(shard.firstFailure()).isNull();
            await().atMost(30, TimeUnit.SECONDS).until(() -> ProcessHandle.of(shard.pid()).isEmpty()
                    || !ProcessHandle.of(shard.pid()).get().isAlive());
            await().atMost(10, TimeUnit.SECONDS).until(() -> server.open() == 0);
        }
        assertThat(Files.readString(dir.resolve("pids"))).isEmpty();
    }

    @Test
    void theRunsOwnConnectionsAndItsShardsAddUp() throws Exception {
        PidFile pids = new PidFile(dir.resolve("pids"));
        ClientPlan plan = new ClientPlan(100, List.of(150, 150));
        try (PausedEchoServer server = new PausedEchoServer();
             LoadClient client = new LoadClient(1);
             SpreadHeldClients held = SpreadHeldClients.open(client, server.address(), plan, LONG_ENOUGH, LONG_ENOUGH,
                     dir, pids)) {
            assertThat(held.count().connected()).isEqualTo(400);
            await().atMost(30, TimeUnit.SECONDS).until(() -> server.accepted() == 400);
            assertThat(held.count().answered()).isZero();

            long resumed = HeldCount.nowEpochMicros();
            server.resume();
            HeldCount done = held.awaitAnswers(LONG_ENOUGH);

            assertThat(done).extracting(HeldCount::connected, HeldCount::answered, HeldCount::failed)
                    .containsExactly(400, 400, 0);
            assertThat(done.secondsAfter(resumed)).isPositive();
            assertThat(dir.resolve("held-clients-127.0.0.2.log")).exists();
            assertThat(dir.resolve("held-clients-127.0.0.3.log")).exists();
        }
    }

    @Test
    void aShardWhoseStdinClosesExitsAtOnce() throws Exception {
        try (PausedEchoServer server = new PausedEchoServer()) {
            List<String> command = new ArrayList<>(ClientShard.javaCommand());
            command.addAll(List.of("held-clients", "--target", "127.0.0.1:" + server.address().getPort(), "--count", "50"));
            Process process = new ProcessBuilder(command).redirectError(dir.resolve("stderr.log").toFile()).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                assertThat(out.readLine()).as("the first line on stdout").isEqualTo("connected 50 failed 0");
                await().atMost(30, TimeUnit.SECONDS).until(() -> server.open() == 50);

                process.getOutputStream().close(); // as when the run ends it, or dies

                assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(process.exitValue()).isEqualTo(HeldClientsCommand.STOPPED);
            } finally {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void aShardThatGivesUpAtItsDeadlineSaysWhyAndTheRunFailsTheStep() throws Exception {
        PidFile pids = new PidFile(dir.resolve("pids"));
        try (PausedEchoServer server = new PausedEchoServer();
             ClientShard shard = ClientShard.start("held-clients-test", server.address(), 20,
                     InetAddress.getLoopbackAddress(), Duration.ofSeconds(2), dir.resolve("shard.log"), pids)) {
            shard.awaitConnected(System.nanoTime() + LONG_ENOUGH.toNanos());

            // never resumed: the shard's 2 s deadline passes while its clients wait
            assertThatThrownBy(() -> shard.awaitAnswers(LONG_ENOUGH))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("held-clients-test")
                    .hasMessageContaining("only 0 of 20 held connections answered");
        }
    }
}
