package dev.holdport.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A deploy as JSON, the same shape for the REST API and the history file, in the admin API's
 * conventions (snake_case names, durations in seconds as numbers, instants as ISO-8601 UTC,
 * enums in lower case, absent values {@code null}):
 *
 * <pre>{@code
 * {"id": "web-20250114T120301Z-3f2a", "route": "web", "slot": "b", "from": "a", "mode": "switch",
 *  "rollback": false, "timeout_seconds": 90.0, "state": "rolled_back",
 *  "started_at": "2025-01-14T12:03:01.123Z", "finished_at": "2025-01-14T12:03:04.020Z",
 *  "duration_seconds": 2.897,
 *  "failure": {"step": "ready b", "reason": "process 4711 exited with status 1 before it was ready",
 *              "route_left_paused": false},
 *  "steps": [{"step": "start b", "action": "start", "slot": "b", "rollback": false,
 *             "started_at": "...", "duration_seconds": 0.012, "outcome": "ok", "detail": "pid 4711"}, ...]}
 * }</pre>
 */
public final class DeployJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /**
     * Read only, and only for deploys.json files written before {@code failure.route_left_paused}
     * existed: those said that a deploy left its route paused in the reason's words alone
     * ({@code "...; route web is left paused on slot a (...)"}). Never written.
     */
    private static final String LEFT_PAUSED_BEFORE_THE_FIELD = " is left paused on slot ";

    private DeployJson() {}

    public static ObjectNode toJson(Deploy d) {
        ObjectNode json = MAPPER.createObjectNode();
        json.put("id", d.id());
        json.put("route", d.route());
        json.put("slot", d.slot());
        json.put("from", d.fromSlot());
        json.put("mode", d.mode().label());
        json.put("rollback", d.rollback());
        if (d.timeout().isPresent()) {
            json.put("timeout_seconds", seconds(d.timeout().get()));
        } else {
            json.putNull("timeout_seconds");
        }
        json.put("state", d.state().label());
        json.put("started_at", d.startedAt().toString());
        json.put("finished_at", d.finishedAt().map(Instant::toString).orElse(null));
        json.put("duration_seconds", seconds(d.duration()));
        if (d.failure().isPresent()) {
            ObjectNode failure = json.putObject("failure");
            failure.put("step", d.failure().get().step());
            failure.put("reason", d.failure().get().reason());
            failure.put("route_left_paused", d.failure().get().routeLeftPaused());
        } else {
            json.putNull("failure");
        }
        ArrayNode steps = json.putArray("steps");
        for (DeployStep s : d.steps()) {
            ObjectNode step = steps.addObject();
            step.put("step", s.name());
            step.put("action", s.action());
            step.put("slot", s.slot());
            step.put("rollback", s.rollback());
            step.put("started_at", s.startedAt().toString());
            step.put("duration_seconds", seconds(s.duration()));
            step.put("outcome", s.outcome().label());
            step.put("detail", s.detail());
        }
        return json;
    }

    public static ArrayNode toJson(List<Deploy> deploys) {
        ArrayNode array = MAPPER.createArrayNode();
        deploys.forEach(d -> array.add(toJson(d)));
        return array;
    }

    /** The inverse of {@link #toJson(Deploy)}. */
    public static Deploy fromJson(JsonNode json) {
        List<DeployStep> steps = new ArrayList<>();
        for (JsonNode s : json.path("steps")) {
            steps.add(new DeployStep(s.path("action").asText(), s.path("slot").asText(), s.path("rollback").asBoolean(),
                    Instant.parse(s.path("started_at").asText()), fromSeconds(s.path("duration_seconds").asDouble()),
                    StepOutcome.parse(s.path("outcome").asText()), s.path("detail").asText("")));
        }
        JsonNode failure = json.path("failure");
        String route = json.path("route").asText();
        return new Deploy(
                json.path("id").asText(),
                route,
                json.path("slot").asText(),
                json.path("from").asText(),
                DeployMode.parse(json.path("mode").asText()),
                json.path("rollback").asBoolean(),
                optionalText(json, "timeout_seconds").map(t -> fromSeconds(Double.parseDouble(t))),
                Instant.parse(json.path("started_at").asText()),
                optionalText(json, "finished_at").map(Instant::parse),
                DeployState.parse(json.path("state").asText()),
                steps,
                failure.isObject()
                        ? Optional.of(new DeployFailure(failure.path("step").asText(), failure.path("reason").asText(),
                                routeLeftPaused(failure, route)))
                        : Optional.empty());
    }

    /** {@code failure.route_left_paused}; in a file written before that field existed, what the reason said. */
    private static boolean routeLeftPaused(JsonNode failure, String route) {
        JsonNode field = failure.get("route_left_paused");
        if (field != null && !field.isNull()) {
            return field.asBoolean();
        }
        return failure.path("reason").asText().contains("route " + route + LEFT_PAUSED_BEFORE_THE_FIELD);
    }

    static ObjectMapper mapper() {
        return MAPPER;
    }

    private static Optional<String> optionalText(JsonNode json, String field) {
        JsonNode value = json.get(field);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
    }

    /** Seconds with millisecond precision (what a deploy's durations keep). */
    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }

    private static Duration fromSeconds(double seconds) {
        return Duration.ofMillis(Math.round(seconds * 1000));
    }
}
