package dev.holdport.admin.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** A real HTTP client for the admin API (java.net.http), and JSON reading for assertions. */
public final class Api {

    public static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final Optional<String> token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public Api(String base) {
        this(base, Optional.empty());
    }

    public Api(String base, Optional<String> token) {
        this.base = base;
        this.token = token;
    }

    /** The port of the API's base URL. */
    public int port() {
        return java.net.URI.create(base).getPort();
    }

    public Api withToken(String newToken) {
        return new Api(base, Optional.of(newToken));
    }

    public HttpResponse<String> get(String path) {
        return send(request(path).GET());
    }

    public HttpResponse<String> post(String path) {
        return send(request(path).POST(HttpRequest.BodyPublishers.noBody()));
    }

    public HttpResponse<String> post(String path, String jsonBody) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(jsonBody)));
    }

    public HttpResponse<String> send(String method, String path, HttpRequest.BodyPublisher body) {
        return send(request(path).method(method, body));
    }

    public HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        token.ifPresent(t -> builder.header("Authorization", "Bearer " + t));
        return builder;
    }

    public HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + response.body(), e);
        }
    }

    /** {@code GET /routes/{route}/status} as JSON. */
    public JsonNode routeStatus(String route) {
        HttpResponse<String> response = get("/routes/" + route + "/status");
        if (response.statusCode() != 200) {
            throw new IllegalStateException("status answered " + response.statusCode() + ": " + response.body());
        }
        return json(response);
    }
}
