package dev.holdport.admin.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Writes an {@link ApiProblem} as {@code application/problem+json} (RFC 9457). */
final class ProblemResponse {

    static final String CONTENT_TYPE = "application/problem+json";

    private ProblemResponse() {}

    static ObjectNode body(ApiProblem problem, String instance) {
        ObjectNode node = JsonResponse.MAPPER.createObjectNode();
        node.put("type", problem.type());
        node.put("title", problem.title());
        node.put("status", problem.status());
        node.put("detail", problem.detail());
        if (instance != null) {
            node.put("instance", instance);
        }
        problem.members().forEach(node::put);
        return node;
    }

    /** Writes the problem with the request's path as its {@code instance}. */
    static void write(Request request, Response response, Callback callback, ApiProblem problem) {
        write(response, callback, problem, request.getHttpURI().getPath());
    }

    /** @param instance the path the problem is about, or null when there is none worth naming */
    static void write(Response response, Callback callback, ApiProblem problem, String instance) {
        for (Map.Entry<String, String> header : problem.headers().entrySet()) {
            response.getHeaders().put(header.getKey(), header.getValue());
        }
        JsonResponse.write(response, callback, problem.status(), CONTENT_TYPE, body(problem, instance));
    }
}
