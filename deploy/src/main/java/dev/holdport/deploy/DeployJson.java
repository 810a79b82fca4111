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
 * A deploy as JSON, the same shape for the REST API and the history file:
 *
 * <pre>{@code
 * {"id": "web-20250114T120301Z-3f2a", "route": "web", "slot": "b", "from": "a", "mode": "switch",
 *  "rollback": false, "timeoutMs": 90000, "state": "rolled_back",
 *  "startedAt": "2025-01-14T12:03:01.123Z", "finishedAt": "2025-01-14T12:03:04.020Z", "durationMs": 2897,
 *  "failure": {"step": "ready b", "reason": "process 4711 exited with status 1 before it was ready"},
 *  "steps": [{"step": "start b", "action": "start", "slot": "b", "rollback": false,
 *             "startedAt": "...", "durationMs": 12, "outcome": "ok", "detail": "pid 4711"}, ...]}
 * }</pre>
 *
 * Instants are ISO-8601 UTC, durations whole milliseconds; absent values are {@code null}.
 */
public final class DeployJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

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
            json.put("timeoutMs", d.timeout().get().toMillis());
        } else {
            json.putNull("timeoutMs");
        }
        json.put("state", d.state().label());
        json.put("startedAt", d.startedAt().toString());
        json.put("finishedAt", d.finishedAt().map(Instant::toString).orElse(null));
        json.put("durationMs", d.duration().toMillis());
        if (d.failure().isPresent()) {
            ObjectNode failure = json.putObject("failure");
            failure.put("step", d.failure().get().step());
            failure.put("reason", d.failure().get().reason());
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
            step.put("startedAt", s.startedAt().toString());
            step.put("durationMs", s.duration().toMillis());
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
                    Instant.parse(s.path("startedAt").asText()), Duration.ofMillis(s.path("durationMs").asLong()),
                    StepOutcome.parse(s.path("outcome").asText()), s.path("detail").asText("")));
        }
        JsonNode failure = json.path("failure");
        return new Deploy(
                json.path("id").asText(),
                json.path("route").asText(),
                json.path("slot").asText(),
                json.path("from").asText(),
                DeployMode.parse(json.path("mode").asText()),
                json.path("rollback").asBoolean(),
                optionalLong(json, "timeoutMs").map(Duration::ofMillis),
                Instant.parse(json.path("startedAt").asText()),
                optionalText(json, "finishedAt").map(Instant::parse),
                DeployState.parse(json.path("state").asText()),
                steps,
                failure.isObject()
                        ? Optional.of(new DeployFailure(failure.path("step").asText(), failure.path("reason").asText()))
                        : Optional.empty());
    }

    static ObjectMapper mapper() {
        return MAPPER;
    }

    private static Optional<String> optionalText(JsonNode json, String field) {
        JsonNode value = json.get(field);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
    }

    private static Optional<Long> optionalLong(JsonNode json, String field) {
        JsonNode value = json.get(field);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asLong());
    }
}
