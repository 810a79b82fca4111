package dev.holdport.admin.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** The CLI's side of the admin API: one request, one answer. */
final class AdminClient {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final URI base;
    private final Optional<String> token;
    private final HttpClient http;

    AdminClient(URI base, Optional<String> token) {
        this.base = base;
        this.token = token.filter(t -> !t.isEmpty());
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    }

    /** An HTTP answer, successful or not. */
    record Answer(int status, String contentType, String body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    /** Nothing answered: refused, timed out, or the connection broke. */
    static final class UnreachableException extends Exception {
        private static final long serialVersionUID = 1L;

        UnreachableException(String message) {
            super(message);
        }
    }

    /**
     * @param jsonBody a JSON object for POSTs, or null
     * @param timeout  how long to wait for the whole answer; empty = as long as it takes (a drain)
     */
    Answer send(String method, String path, String jsonBody, Optional<Duration> timeout) throws UnreachableException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .header("Accept", "application/json, application/problem+json");
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        timeout.ifPresent(request::timeout);
        if (jsonBody != null) {
            request.header("Content-Type", "application/json");
            request.method(method, HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(""), response.body());
        } catch (java.net.ConnectException e) {
            throw new UnreachableException("connection refused (is holdport running, with its admin API there?)");
        } catch (java.net.http.HttpConnectTimeoutException e) {
            throw new UnreachableException("no answer to the connect within " + CONNECT_TIMEOUT.toSeconds() + "s");
        } catch (java.net.http.HttpTimeoutException e) {
            throw new UnreachableException("no answer within " + timeout.map(Duration::toSeconds).orElse(0L) + "s");
        } catch (IOException e) {
            String why = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
            throw new UnreachableException(why);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnreachableException("interrupted");
        }
    }

    /** The path of one deploy, where it is followed ({@code GET}) and cancelled ({@code DELETE}). */
    static String deployPath(String id) {
        return "/deploys/" + URLEncoder.encode(id, StandardCharsets.UTF_8);
    }

    URI base() {
        return base;
    }
}
