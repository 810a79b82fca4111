package dev.holdport.admin.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.holdport.admin.DurationText;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.util.Fields;

/**
 * The arguments of one action, from the JSON body ({@code {"slot":"b"}}) or the query
 * ({@code ?slot=b}), whichever the caller used. Strict on purpose: an unknown or misspelt
 * argument is refused rather than ignored, so {@code {"slott":"b"}} cannot quietly resume to
 * the old slot.
 *
 * @param slot    {@code slot}, for resume, switch and deploy
 * @param timeout {@code timeout}, for drain, deploy and rollback
 * @param mode    {@code mode}, for deploy and rollback, as given (the deploy module parses it)
 */
record ActionArguments(Optional<String> slot, Optional<Duration> timeout, Optional<String> mode) {

    static final String SLOT = "slot";
    static final String TIMEOUT = "timeout";
    static final String MODE = "mode";

    /**
     * Refuses what Jackson lets through by default: a second value after the object
     * ({@code {"slot":"b"} {"slott":"c"}}), and a member given twice, of which the last would win.
     */
    private static final ObjectReader STRICT = JsonResponse.MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    /**
     * @param action  the action's name, for messages
     * @param allowed which arguments the action takes
     * @throws ApiProblem on malformed JSON or a bad, unknown or conflicting argument
     */
    static ActionArguments parse(String action, Set<String> allowed, byte[] body, Fields query) {
        Map<String, String> given = new LinkedHashMap<>();
        for (Fields.Field field : query) {
            if (field.getValues().size() > 1) {
                throw ApiProblem.invalidRequest("query parameter \"" + field.getName() + "\" is given more than once");
            }
            given.put(field.getName(), field.getValue());
        }
        for (Map.Entry<String, String> entry : bodyFields(body).entrySet()) {
            String earlier = given.putIfAbsent(entry.getKey(), entry.getValue());
            if (earlier != null && !earlier.equals(entry.getValue())) {
                throw ApiProblem.invalidRequest("\"" + entry.getKey() + "\" is given twice with different values: \""
                        + earlier + "\" in the query and \"" + entry.getValue() + "\" in the body");
            }
        }
        for (String name : given.keySet()) {
            if (!allowed.contains(name)) {
                String takes = allowed.isEmpty() ? "no arguments" : "only " + String.join(", ", allowed);
                throw ApiProblem.invalidRequest("unknown argument \"" + name + "\": " + action + " takes " + takes);
            }
        }
        Optional<String> slot = Optional.ofNullable(given.get(SLOT));
        if (slot.isPresent() && slot.get().isBlank()) {
            throw ApiProblem.invalidRequest("\"slot\" is empty");
        }
        Optional<Duration> timeout = Optional.ofNullable(given.get(TIMEOUT)).map(text -> {
            try {
                return DurationText.parse(text);
            } catch (IllegalArgumentException e) {
                throw ApiProblem.invalidRequest("timeout: " + e.getMessage());
            }
        });
        return new ActionArguments(slot, timeout, Optional.ofNullable(given.get(MODE)));
    }

    /** The body's members as text; an empty body is no arguments. */
    private static Map<String, String> bodyFields(byte[] body) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return fields;
        }
        JsonNode root;
        try {
            root = STRICT.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiProblem.malformedJson("the body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ApiProblem.malformedJson("the body could not be read as JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw ApiProblem.malformedJson("the body must be a JSON object, like {\"slot\": \"b\"}");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> member = it.next();
            JsonNode value = member.getValue();
            if (value.isTextual()) {
                fields.put(member.getKey(), value.textValue());
            } else if (value.isNumber() && member.getKey().equals(TIMEOUT)) {
                fields.put(member.getKey(), value.asText()); // a number of seconds
            } else {
                throw ApiProblem.invalidRequest("\"" + member.getKey() + "\" must be a string, not " + value.getNodeType()
                        .name().toLowerCase(java.util.Locale.ROOT));
            }
        }
        return fields;
    }
}
