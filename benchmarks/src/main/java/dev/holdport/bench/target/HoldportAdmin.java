package dev.holdport.bench.target;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** holdport's admin REST API, as the deploy and hold-capacity scenarios use it. */
public final class HoldportAdmin {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})?\\s+(\\S+)");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    public HoldportAdmin(int port) {
        this.base = URI.create("http://127.0.0.1:" + port);
    }

    /** Pauses every route. */
    public void pause() {
        post("/pause", "{}");
    }

    /** Resumes every route. */
    public void resume() {
        post("/resume", "{}");
    }

    public void pause(Route route) {
        post("/routes/" + route.id() + "/pause", "{}");
    }

    public void resume(Route route) {
        post("/routes/" + route.id() + "/resume", "{}");
    }

    /** Waits (server side, up to {@code timeout}) until the route's live relays have ended. */
    public void drain(Route route, Duration timeout) {
        post("/routes/" + route.id() + "/drain", "{\"timeout\": \"" + timeout.toMillis() + "ms\"}");
    }

    /** The Prometheus text exposition of {@code /metrics}. */
    public String metrics() {
        HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve("/metrics")).GET());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET /metrics answered " + response.statusCode());
        }
        return response.body();
    }

    /** Heap in use from the JVM metrics ({@code jvm_memory_used_bytes{area="heap"}}), if exposed. */
    public OptionalDouble heapUsedBytes() {
        return sum(metrics(), "jvm_memory_used_bytes", "area=\"heap\"");
    }

    /** Connections held right now, summed over routes ({@code holdport_connections_held}); empty if not exposed. */
    public OptionalDouble heldConnections() {
        return sum(metrics(), "holdport_connections_held", "");
    }

    /**
     * holdport's process-wide client-connection limit ({@code holdport_client_connections_limit}):
     * past it, it stops accepting and clients wait in the listen backlog. Empty if not exposed
     * (a holdport from before that limit).
     */
    public OptionalDouble clientConnectionLimit() {
        return sum(metrics(), "holdport_client_connections_limit", "");
    }

    /** Client connections holdport has open now, all routes ({@code holdport_client_connections_open}); empty if not exposed. */
    public OptionalDouble clientConnectionsOpen() {
        return sum(metrics(), "holdport_client_connections_open", "");
    }

    static OptionalDouble sum(String metrics, String name, String labelFilter) {
        double total = 0;
        boolean found = false;
        for (String line : metrics.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (m.find() && m.group(1).equals(name)
                    && (labelFilter.isEmpty() || (m.group(2) != null && m.group(2).contains(labelFilter)))) {
                total += Double.parseDouble(m.group(3));
                found = true;
            }
        }
        return found ? OptionalDouble.of(total) : OptionalDouble.empty();
    }

    private void post(String path, String json) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("POST " + path + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("admin API at " + base + " unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
