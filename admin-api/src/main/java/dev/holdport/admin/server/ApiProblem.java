package dev.holdport.admin.server;

import java.util.Map;

/**
 * A request the API refuses, carried as an exception from wherever it is found to the one place
 * that writes it as {@code application/problem+json} (RFC 9457). Never a server fault: those
 * are answered 500 without details.
 *
 * @see ProblemResponse
 */
public final class ApiProblem extends RuntimeException {

    private static final String TYPE_PREFIX = "urn:holdport:problem:";

    private final int status;
    private final String type;
    private final String title;
    private final Map<String, String> headers;
    private final Map<String, String> members;

    private ApiProblem(int status, String kind, String title, String detail, Map<String, String> headers) {
        this(status, kind, title, detail, headers, Map.of());
    }

    private ApiProblem(int status, String kind, String title, String detail, Map<String, String> headers,
                       Map<String, String> members) {
        super(detail, null, false, false);
        this.status = status;
        this.type = TYPE_PREFIX + kind;
        this.title = title;
        this.headers = Map.copyOf(headers);
        this.members = Map.copyOf(members);
    }

    public static ApiProblem unknownRoute(String route, Iterable<String> known) {
        return new ApiProblem(404, "unknown-route", "Unknown route",
                "there is no route \"" + route + "\" (routes: " + String.join(", ", known) + ")", Map.of());
    }

    public static ApiProblem unknownPath(String path) {
        return new ApiProblem(404, "not-found", "Not found",
                "no endpoint at " + path + " (see GET /openapi.yaml)", Map.of());
    }

    public static ApiProblem unknownSlot(String detail) {
        return new ApiProblem(400, "unknown-slot", "Unknown slot", detail, Map.of());
    }

    public static ApiProblem malformedJson(String detail) {
        return new ApiProblem(400, "malformed-json", "Malformed JSON", detail, Map.of());
    }

    public static ApiProblem invalidRequest(String detail) {
        return new ApiProblem(400, "invalid-request", "Invalid request", detail, Map.of());
    }

    public static ApiProblem methodNotAllowed(String method, String path, String allowed) {
        return new ApiProblem(405, "method-not-allowed", "Method not allowed",
                method + " is not allowed on " + path + "; use " + allowed, Map.of("Allow", allowed));
    }

    public static ApiProblem bodyTooLarge(int limit) {
        return new ApiProblem(413, "body-too-large", "Request body too large",
                "request bodies are limited to " + limit + " bytes", Map.of());
    }

    /** The client stopped sending its request body before the connection's idle timeout. */
    public static ApiProblem bodyTimedOut() {
        return new ApiProblem(408, "body-timeout", "Request body timed out",
                "the request body stopped arriving before it was complete", Map.of());
    }

    /** @param tokenGiven whether the request carried a token at all (it was wrong, then) */
    public static ApiProblem unauthorized(boolean tokenGiven) {
        String detail = tokenGiven
                ? "the bearer token is not the admin token"
                : "this endpoint needs the admin token: send \"Authorization: Bearer <token>\"";
        String challenge = tokenGiven ? "Bearer realm=\"holdport\", error=\"invalid_token\"" : "Bearer realm=\"holdport\"";
        return new ApiProblem(401, "unauthorized", "Unauthorized", detail, Map.of("WWW-Authenticate", challenge));
    }

    public static ApiProblem notReady(String detail) {
        return new ApiProblem(503, "not-ready", "Not ready", detail, Map.of());
    }

    /** A deploy was asked for while another runs on the route; {@code running_deploy} names it for a script. */
    public static ApiProblem deployConflict(String detail, String runningId) {
        return new ApiProblem(409, "deploy-conflict", "A deploy is already running", detail, Map.of(),
                Map.of("running_deploy", runningId));
    }

    /** A deploy that cannot be done as asked (a mode the slots do not allow, no previous slot known). */
    public static ApiProblem invalidDeploy(String detail) {
        return new ApiProblem(400, "invalid-deploy", "Invalid deploy", detail, Map.of());
    }

    public static ApiProblem unknownDeploy(String id) {
        return new ApiProblem(404, "unknown-deploy", "Unknown deploy",
                "there is no deploy \"" + id + "\" (GET /deploys lists the last 50)", Map.of());
    }

    /** A cancel of a deploy that has already ended. */
    public static ApiProblem deployEnded(String detail) {
        return new ApiProblem(409, "deploy-ended", "Deploy already ended", detail, Map.of());
    }

    public static ApiProblem deployRollingBack(String detail) {
        return new ApiProblem(409, "deploy-rolling-back", "Deploy already rolling back", detail, Map.of());
    }

    public static ApiProblem shuttingDown(String detail) {
        return new ApiProblem(503, "shutting-down", "Shutting down", detail, Map.of());
    }

    /** Any other status, as Jetty itself reports it (bad HTTP, server fault). */
    public static ApiProblem ofStatus(int status, String title, String detail) {
        return new ApiProblem(status, status >= 500 ? "internal-error" : "http-" + status, title, detail, Map.of());
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }

    /** Extra response headers the status requires ({@code Allow}, {@code WWW-Authenticate}). */
    public Map<String, String> headers() {
        return headers;
    }

    /** Extension members of the problem body beyond type, title, status, detail ({@code running_deploy}). */
    public Map<String, String> members() {
        return members;
    }
}
