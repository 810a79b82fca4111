package dev.holdport.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The history file: JSON round trip, the last 50, a deploy cut short by a restart, a damaged file. */
class DeployHistoryTest {

    @TempDir
    Path dir;

    private static Deploy deploy(String id, Instant startedAt, DeployState state) {
        DeployStep start = new DeployStep("start", "b", false, startedAt, Duration.ofMillis(12), StepOutcome.OK, "pid 4711");
        DeployStep ready = new DeployStep("ready", "b", false, startedAt.plusMillis(12), Duration.ofMillis(800),
                state == DeployState.RUNNING ? StepOutcome.RUNNING : StepOutcome.FAILED, "");
        return new Deploy(id, "web", "b", "a", DeployMode.SWITCH, false, Optional.of(Duration.ofSeconds(90)), startedAt,
                state == DeployState.RUNNING ? Optional.empty() : Optional.of(startedAt.plusSeconds(1)), state,
                List.of(start, ready),
                state == DeployState.RUNNING ? Optional.empty() : Optional.of(new DeployFailure("ready b", "exited")));
    }

    @Test
    void aDeployRoundTripsThroughJson() {
        Deploy d = deploy("web-1", Instant.parse("2025-01-14T12:03:01.123456789Z"), DeployState.ROLLED_BACK);

        assertThat(DeployJson.fromJson(DeployJson.toJson(d))).isEqualTo(d);
        assertThat(DeployJson.toJson(d).toString())
                .contains("\"state\":\"rolled_back\"", "\"mode\":\"switch\"", "\"timeout_seconds\":90.0",
                        "\"started_at\":\"2025-01-14T12:03:01.123456789Z\"", "\"duration_seconds\":0.8",
                        "\"step\":\"ready b\"",
                        "\"failure\":{\"step\":\"ready b\",\"reason\":\"exited\",\"route_left_paused\":false}");
    }

    @Test
    void whetherADeployLeftItsRoutePausedIsAFieldOfItsFailureNotWordsInTheReason() {
        Instant t0 = Instant.parse("2025-01-14T12:03:01Z");
        Deploy said = withFailure(deploy("web-1", t0, DeployState.INTERRUPTED),
                new DeployFailure("ready a", "holdport shut down (the route stays paused)", true));
        Deploy wordsOnly = withFailure(deploy("web-2", t0, DeployState.INTERRUPTED),
                new DeployFailure("ready a", "holdport shut down; route web is left paused on slot a"));

        assertThat(DeployJson.toJson(said).toString()).contains("\"route_left_paused\":true");
        assertThat(DeployJson.fromJson(DeployJson.toJson(said))).isEqualTo(said);
        assertThat(DeployRun.interruptedLeavingRoutePaused(said)).isTrue();
        assertThat(DeployRun.interruptedLeavingRoutePaused(wordsOnly)).as("the reason's words decide nothing").isFalse();
        assertThat(DeployRun.interruptedLeavingRoutePaused(withFailure(deploy("web-3", t0, DeployState.FAILED),
                new DeployFailure("ready b", "the rollback failed too; crash masking has the route", true))))
                .as("only an interrupted deploy").isFalse();
    }

    @Test
    void aHistoryWrittenBeforeRouteLeftPausedExistedStillLoads() throws Exception {
        Path file = Files.writeString(dir.resolve("deploys.json"), """
                [{"id": "web-old", "route": "web", "slot": "b", "from": "a", "mode": "exclusive", "rollback": false,
                  "timeout_seconds": null, "state": "interrupted", "started_at": "2025-01-14T12:03:01Z",
                  "finished_at": "2025-01-14T12:03:05Z", "duration_seconds": 4.0,
                  "failure": {"step": "ready b", "reason": "holdport shut down"},
                  "steps": [{"step": "pause", "action": "pause", "slot": "", "rollback": false,
                             "started_at": "2025-01-14T12:03:01Z", "duration_seconds": 0.001, "outcome": "ok",
                             "detail": "new connections are held"}]}]
                """);

        List<Deploy> loaded = DeployHistory.load(file).list();

        assertThat(loaded).singleElement().satisfies(d -> {
            assertThat(d.state()).isEqualTo(DeployState.INTERRUPTED);
            assertThat(d.failure()).contains(new DeployFailure("ready b", "holdport shut down", false));
            assertThat(d.steps()).extracting(DeployStep::name).containsExactly("pause");
        });
    }

    @Test
    void aHistoryWrittenBeforeRouteLeftPausedExistedSaysSoInTheReasonsWords() throws Exception {
        // The previous version's wording for an interrupted deploy that left its route paused.
        String oldReason = "holdport shut down during the deploy; route web is left paused on slot a (1 held connections"
                + " are closed as holdport exits; the next holdport starts with the route paused): check the slots,"
                + " then resume or deploy";
        Path file = Files.writeString(dir.resolve("deploys.json"), """
                [{"id": "web-old-paused", "route": "web", "slot": "b", "from": "a", "mode": "exclusive",
                  "rollback": false, "timeout_seconds": null, "state": "interrupted",
                  "started_at": "2025-01-14T12:03:01Z", "finished_at": "2025-01-14T12:03:05Z", "duration_seconds": 4.0,
                  "failure": {"step": "rollback: ready a", "reason": "%s"}, "steps": []},
                 {"id": "web-new-open", "route": "web", "slot": "b", "from": "a", "mode": "exclusive",
                  "rollback": false, "timeout_seconds": null, "state": "interrupted",
                  "started_at": "2025-01-14T12:02:01Z", "finished_at": "2025-01-14T12:02:05Z", "duration_seconds": 4.0,
                  "failure": {"step": "ready b", "reason": "%s", "route_left_paused": false}, "steps": []}]
                """.formatted(oldReason, oldReason));

        List<Deploy> loaded = DeployHistory.load(file).list();

        assertThat(loaded).extracting(Deploy::id).containsExactly("web-old-paused", "web-new-open");
        assertThat(loaded.get(0).failure()).get().satisfies(f -> assertThat(f.routeLeftPaused()).isTrue());
        assertThat(DeployRun.interruptedLeavingRoutePaused(loaded.get(0))).isTrue();
        assertThat(loaded.get(1).failure()).get().as("once the field is there, it decides")
                .satisfies(f -> assertThat(f.routeLeftPaused()).isFalse());
        assertThat(DeployJson.toJson(loaded.get(0)).path("failure").path("route_left_paused").asBoolean())
                .as("written with the field from now on").isTrue();
    }

    private static Deploy withFailure(Deploy d, DeployFailure failure) {
        return new Deploy(d.id(), d.route(), d.slot(), d.fromSlot(), d.mode(), d.rollback(), d.timeout(), d.startedAt(),
                d.finishedAt(), d.state(), d.steps(), Optional.of(failure));
    }

    @Test
    void keepsTheLast50AcrossALoadAndMarksADeployCutShortAsInterrupted() {
        Path file = dir.resolve("deploys.json");
        DeployHistory history = DeployHistory.load(file);
        Instant t0 = Instant.parse("2025-01-01T00:00:00Z");
        for (int i = 0; i < 60; i++) {
            history.put(deploy("web-" + i, t0.plusSeconds(i), DeployState.SUCCEEDED));
        }
        history.put(deploy("web-running", t0.plusSeconds(100), DeployState.RUNNING));

        DeployHistory reloaded = DeployHistory.load(file);

        List<Deploy> list = reloaded.list();
        assertThat(list).hasSize(50);
        assertThat(list.get(0).id()).isEqualTo("web-running");
        assertThat(list.get(49).id()).as("the oldest kept").isEqualTo("web-11");
        Deploy cut = list.get(0);
        assertThat(cut.state()).isEqualTo(DeployState.INTERRUPTED);
        assertThat(cut.failure()).contains(new DeployFailure("ready b", "holdport stopped while the deploy was running"));
        assertThat(cut.steps().get(1).outcome()).isEqualTo(StepOutcome.CANCELLED);
        assertThat(cut.finishedAt()).contains(t0.plusSeconds(100).plusMillis(812));
        assertThat(reloaded.interruptedAtLoad()).containsExactly(cut);

        DeployHistory third = DeployHistory.load(file);
        assertThat(third.interruptedAtLoad()).as("written back when found: not interrupted again").isEmpty();
        assertThat(third.get("web-running")).contains(cut);
    }

    @Test
    void aDamagedFileGivesAnEmptyHistoryInsteadOfAFailedStart() throws Exception {
        Path file = Files.writeString(dir.resolve("deploys.json"), "[{\"id\": tru");

        DeployHistory history = DeployHistory.load(file);

        assertThat(history.list()).isEmpty();
        history.put(deploy("web-1", Instant.now(), DeployState.SUCCEEDED));
        assertThat(DeployHistory.load(file).list()).extracting(Deploy::id).containsExactly("web-1");
    }

    @Test
    void slotLogRotatesWhenFullAndItsTailShowsTheLatestStartOnly() throws Exception {
        Path file = dir.resolve("a.log");
        SlotLog log = new SlotLog(file, 100, 2);
        log.mark("starting v1");
        Files.writeString(file, "old line\n", java.nio.file.StandardOpenOption.APPEND);
        log.mark("starting v2");
        Files.writeString(file, "one\ntwo\nthree\nfour\n", java.nio.file.StandardOpenOption.APPEND);

        assertThat(log.tail(3)).isEqualTo("two | three | four");
        assertThat(log.rotateIfFull()).isTrue();
        assertThat(Files.size(file)).isZero();
        assertThat(Files.readString(log.generation(1))).contains("starting v2");
        log.mark("starting v3");
        assertThat(log.tail(3)).isEmpty();
        assertThat(log.rotateIfFull()).as("under the limit").isFalse();
    }
}
