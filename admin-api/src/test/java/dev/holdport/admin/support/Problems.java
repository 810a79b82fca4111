package dev.holdport.admin.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;

/** Assertions on RFC 9457 answers. */
public final class Problems {

    private Problems() {}

    /**
     * Asserts an {@code application/problem+json} answer with this status and problem type
     * ({@code urn:holdport:problem:<kind>}), a human detail, and nothing of a stack trace or an
     * HTML page. Returns the problem for further checks.
     */
    public static JsonNode assertProblem(HttpResponse<String> response, int status, String kind) {
        assertThat(response.statusCode()).as("status of %s", response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(response.body()).doesNotContainIgnoringCase("<html").doesNotContain("Exception").doesNotContain("\tat ");
        JsonNode problem = Api.json(response);
        assertThat(problem.path("type").asText()).isEqualTo("urn:holdport:problem:" + kind);
        assertThat(problem.path("title").asText()).isNotBlank();
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("detail").asText()).isNotBlank();
        return problem;
    }
}
