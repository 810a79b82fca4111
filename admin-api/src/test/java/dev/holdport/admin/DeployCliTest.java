package dev.holdport.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdport.admin.support.Api;
import dev.holdport.admin.support.ChildOutput;
import dev.holdport.admin.support.HoldportCommand;
import dev.holdport.admin.support.HoldportCommand.Result;
import dev.holdport.admin.support.HoldportFixture;
import dev.holdport.admin.support.HttpGet;
import dev.holdport.admin.support.SlotInstall;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code holdport deploy}, {@code rollback}, {@code cancel} and {@code status} as real CLI child
 * processes, against a holdport whose slots are real child processes started from their install
 * folders.
 */
class DeployCliTest {

    @RegisterExtension
    final HoldportFixture holdport = HoldportFixture.supervisedSlots();

    @Test
    void deployFollowsTheStepsRollbackGoesBackAndABrokenVersionExits1() throws Exception {
        holdport.install("a", SlotInstall.serving("a"));
        holdport.install("b", SlotInstall.serving("b"));
        String admin = holdport.url();
        holdport.awaitServing("a");

        Result deploy = HoldportCommand.run("deploy", "--slot", "b", "--admin", admin);

        assertThat(deploy.exitCode()).as(deploy.out() + deploy.err()).isZero();
        assertThat(deploy.out()).containsPattern("(?m)^deploy web-\\S+: switch from a to b$");
        assertThat(deploy.out()).containsPattern("(?m)^  start b +ok +\\d+(ms|\\.\\ds) +pid \\d+ started in ");
        assertThat(deploy.out()).containsPattern("(?m)^  ready b +ok ");
        assertThat(deploy.out()).containsPattern("(?m)^  switch b +ok ");
        assertThat(deploy.out()).containsPattern("(?m)^  drain a +ok ");
        assertThat(deploy.out()).containsPattern("(?m)^  stop a +ok .* stopped by SIGTERM");
        assertThat(deploy.out()).containsPattern("(?m)^succeeded in \\S+: slot b serves$");
        assertThat(HttpGet.once(holdport.port("web"), 10_000).body()).isEqualTo("hello from b\n");

        Result rollback = HoldportCommand.run("rollback", "--route", "web", "--json", "--admin", admin);

        assertThat(rollback.exitCode()).as(rollback.out() + rollback.err()).isZero();
        JsonNode back = Api.JSON.readTree(rollback.out());
        assertThat(back.path("rollback").asBoolean()).isTrue();
        assertThat(back.path("state").asText()).isEqualTo("succeeded");
        assertThat(back.path("slot").asText()).isEqualTo("a");
        assertThat(HttpGet.once(holdport.port("web"), 10_000).body()).isEqualTo("hello from a\n");

        holdport.install("b", SlotInstall.exitingAtStart());
        // Exclusive: a is stopped before b starts, so the rollback must start a again.
        Result broken = HoldportCommand.run("deploy", "--slot", "b", "--mode", "exclusive", "--timeout", "40s",
                "--admin", admin);

        assertThat(broken.exitCode()).as(broken.out() + broken.err()).isEqualTo(1);
        assertThat(broken.out()).containsPattern("(?m)^deploy web-\\S+: exclusive from a to b$");
        assertThat(broken.out()).containsPattern("(?m)^  stop a +ok ");
        assertThat(broken.out()).containsPattern("(?m)^  (start|ready) b +failed .*exited with status 3");
        assertThat(broken.out()).containsPattern("(?m)^rolling back to slot a:\n  start a +ok ");
        assertThat(broken.out()).containsPattern("(?m)^  resume a +ok ");
        assertThat(broken.out()).containsPattern("(?m)^rolled back in \\S+: slot a serves$");
        assertThat(broken.err()).containsPattern("deploy web-\\S+ rolled back: (start|ready) b: .*exited");
        assertThat(HttpGet.once(holdport.port("web"), 10_000).body()).isEqualTo("hello from a\n");
    }

    @Test
    void statusShowsEachSupervisedSlotsProcess() throws Exception {
        holdport.install("a", SlotInstall.serving("a"));
        holdport.install("b", SlotInstall.serving("b"));
        holdport.awaitServing("a");
        long pid = holdport.pid("a").orElseThrow();

        Result status = HoldportCommand.run("status", "--admin", holdport.url());

        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).containsPattern("(?m)^ROUTE +SLOT +ACTIVE +ADDRESS +LIVE +PROCESS +PID +UPTIME +PATH$");
        assertThat(status.out()).containsPattern("(?m)^web +a +yes +127\\.0\\.0\\.1:\\d+ +0 +running +" + pid
                + " +(\\d+ms|\\d+\\.\\ds|\\d+m\\d\\ds) +\\S+/a$");
        assertThat(status.out()).containsPattern("(?m)^web +b +127\\.0\\.0\\.1:\\d+ +0 +stopped +- +- +\\S+/b$");
    }

    @Test
    void cancelStopsADeployAnotherCliFollowsWhichThenRollsBack() throws Exception {
        holdport.install("a", SlotInstall.serving("a"));
        holdport.install("b", SlotInstall.neverReady()); // its deploy runs until cancelled (or ready.timeout)
        holdport.awaitServing("a");
        Process deploy = HoldportCommand.start(Map.of(), List.of("deploy", "--slot", "b", "--admin", holdport.url()));
        ChildOutput deployOut = ChildOutput.collect(deploy.getInputStream());
        ChildOutput deployErr = ChildOutput.collect(deploy.getErrorStream());
        try {
            Pattern header = Pattern.compile("(?m)^deploy (web-\\S+): switch from a to b$");
            String id = await().atMost(Duration.ofSeconds(60))
                    .until(() -> header.matcher(deployOut.text()), Matcher::find).group(1);

            Result cancel = HoldportCommand.run("cancel", id, "--admin", holdport.url());

            assertThat(cancel.exitCode()).as(cancel.err()).isZero();
            assertThat(cancel.out()).isEqualTo("cancelling deploy " + id + ": it rolls back to slot a\n");
            assertThat(deploy.waitFor(60, TimeUnit.SECONDS)).as(deployOut.text()).isTrue();
            assertThat(deploy.exitValue()).isEqualTo(1);
            assertThat(deployOut.awaitEnd()).containsPattern("(?m)^cancelled after \\S+: slot a serves$");
            assertThat(deployErr.awaitEnd()).contains("deploy " + id + " was cancelled");
            assertThat(HttpGet.once(holdport.port("web"), 10_000).body()).isEqualTo("hello from a\n");

            Result again = HoldportCommand.run("cancel", id, "--admin", holdport.url());
            assertThat(again.exitCode()).isEqualTo(1);
            assertThat(again.err()).contains("cancel refused (409").contains("already ended (cancelled)");
        } finally {
            deploy.destroyForcibly();
        }
    }

    @Test
    void cancelWaitReturnsOnceTheRollbackHasEndedAndExits0() throws Exception {
        holdport.install("a", SlotInstall.serving("a"));
        holdport.install("b", SlotInstall.neverReady()); // its deploy runs until cancelled (or ready.timeout)
        holdport.awaitServing("a");
        Api api = holdport.api();

        String id = startDeployThatWaitsForB(api);
        Result cancel = HoldportCommand.run("cancel", id, "--wait", "--admin", holdport.url());

        assertThat(cancel.exitCode()).as(cancel.out() + cancel.err()).isZero();
        assertThat(cancel.out()).matches("cancelling deploy " + Pattern.quote(id) + ": it rolls back to slot a\n"
                + "cancelled after \\S+: slot a serves\n");
        assertThat(cancel.err()).isEmpty();
        // It returned only once the deploy had ended: its rollback is done and slot a serves.
        assertThat(Api.json(api.get("/deploys/" + id)).path("state").asText()).isEqualTo("cancelled");
        assertThat(HttpGet.once(holdport.port("web"), 10_000).body()).isEqualTo("hello from a\n");

        // --json prints the deploy as it ended.
        String second = startDeployThatWaitsForB(api);
        Result cancelJson = HoldportCommand.run("cancel", second, "--wait", "--json", "--admin", holdport.url());
        assertThat(cancelJson.exitCode()).as(cancelJson.out() + cancelJson.err()).isZero();
        JsonNode ended = Api.JSON.readTree(cancelJson.out());
        assertThat(ended.path("id").asText()).isEqualTo(second);
        assertThat(ended.path("state").asText()).isEqualTo("cancelled");

        // An ended deploy cannot be cancelled, waiting or not.
        Result again = HoldportCommand.run("cancel", id, "--wait", "--admin", holdport.url());
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("cancel refused (409").contains("already ended (cancelled)");
    }

    /** Starts a deploy of slot b (which never becomes ready) and returns its id once it waits for b. */
    private static String startDeployThatWaitsForB(Api api) {
        HttpResponse<String> started = api.post("/routes/web/deploy", "{\"slot\": \"b\"}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        String id = Api.json(started).path("id").asText();
        await().atMost(Duration.ofSeconds(60)).until(() -> Api.json(api.get("/deploys/" + id)).path("steps")
                .findValuesAsText("outcome").contains("running"));
        return id;
    }

    @Test
    void usageErrorsExit2RefusalsExit1() throws Exception {
        holdport.install("a", SlotInstall.serving("a"));
        holdport.install("b", SlotInstall.serving("b"));
        String admin = holdport.url();

        Result badMode = HoldportCommand.run("deploy", "--slot", "b", "--mode", "sideways", "--admin", admin);
        assertThat(badMode.exitCode()).isEqualTo(2);
        assertThat(badMode.err()).contains("--mode").contains("switch, exclusive, restart");

        Result noSlot = HoldportCommand.run("deploy", "--admin", admin);
        assertThat(noSlot.exitCode()).isEqualTo(2);
        assertThat(noSlot.err()).contains("--slot");

        Result unknownSlot = HoldportCommand.run("deploy", "--slot", "c", "--admin", admin);
        assertThat(unknownSlot.exitCode()).isEqualTo(1);
        assertThat(unknownSlot.err()).contains("deploy refused (400");

        Result unreachable = HoldportCommand.run("rollback", "--admin", "http://127.0.0.1:1");
        assertThat(unreachable.exitCode()).isEqualTo(3);
    }
}
