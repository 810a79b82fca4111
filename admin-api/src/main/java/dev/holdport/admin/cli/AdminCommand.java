package dev.holdport.admin.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdport.admin.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A client command: one call to the admin API of a running holdport, its answer printed as a
 * table (or as the API's JSON with {@code --json}), and an exit code a script can test.
 */
abstract class AdminCommand implements Callable<Integer> {

    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    @Option(names = "--admin", paramLabel = "URL",
            defaultValue = "${env:HOLDPORT_ADMIN_URL:-http://127.0.0.1:9900}",
            description = "the admin API (default: $HOLDPORT_ADMIN_URL, else ${DEFAULT-VALUE})")
    String admin;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:HOLDPORT_ADMIN_TOKEN}",
            description = "the admin bearer token (default: $HOLDPORT_ADMIN_TOKEN)")
    String token;

    @Option(names = "--json", description = "print the API's JSON answer instead of the usual text")
    boolean json;

    @Spec
    CommandSpec spec;

    /** What the command does, for messages: {@code pause}, {@code status}, {@code cancel}, ... */
    abstract String action();

    /** The request's path: {@code /pause}, {@code /routes/web/pause}, {@code /deploys/{id}}, ... */
    abstract String path();

    String method() {
        return "POST";
    }

    /** The request's arguments, or null when it has none. */
    ObjectNode arguments() {
        return null;
    }

    /** How long to wait for the answer; empty = as long as it takes. */
    Optional<Duration> timeout() {
        return Optional.of(DEFAULT_TIMEOUT);
    }

    @Override
    public final Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        URI base;
        try {
            base = baseUri(admin);
        } catch (IllegalArgumentException e) {
            err.println("holdport: --admin " + e.getMessage());
            err.flush();
            return Main.USAGE;
        }
        if (token != null && token.chars().anyMatch(Character::isISOControl)) {
            err.println("holdport: --token holds a control character (a newline?): no HTTP header can carry it");
            err.flush();
            return Main.USAGE;
        }
        if (token != null && token.chars().anyMatch(c -> c > 0x7e)) {
            // Never echoed: the HTTP client's own refusal would print the token in its message.
            err.println("holdport: --token holds a character outside printable ASCII: an HTTP header cannot carry it");
            err.flush();
            return Main.USAGE;
        }
        if (token != null && !token.isEmpty() && !token.equals(token.strip())) {
            // holdport refuses such a token in its config, and HTTP would drop the spaces anyway
            err.println("holdport: --token starts or ends with whitespace (a stray space from an env file?)");
            err.flush();
            return Main.USAGE;
        }
        ObjectNode arguments = arguments();
        AdminClient client = new AdminClient(base, Optional.ofNullable(token));
        try {
            AdminClient.Answer answer = client.send(method(), path(), arguments == null ? null : arguments.toString(),
                    timeout());
            if (answer.ok() && !holdportJson(answer)) {
                // A success from something else (a web server on a forgotten port, a captive
                // proxy) must not pass for one: `holdport pause && stop-backend` would stop the
                // backend with nothing paused.
                err.println("holdport: " + admin + " answered " + answer.status() + " with "
                        + (answer.contentType().isEmpty() ? "no content type" : answer.contentType())
                        + ", not holdport's JSON: is --admin holdport's admin API?");
                return Main.UNREACHABLE;
            }
            return answer.ok() ? answered(client, answer, out, err) : printRefusal(answer, out, err);
        } catch (AdminClient.UnreachableException e) {
            err.println("holdport: cannot reach the admin API at " + admin + ": " + e.getMessage());
            return Main.UNREACHABLE;
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** A JSON object, sent as JSON: what every successful answer of holdport's admin API is. */
    static boolean holdportJson(AdminClient.Answer answer) {
        if (!answer.contentType().toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            return false;
        }
        try {
            JsonNode body = MAPPER.readTree(answer.body());
            return body != null && body.isObject();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * What to do with a successful answer; by default print it. A command that follows up with
     * more calls (a deploy polls its progress) overrides this.
     */
    int answered(AdminClient client, AdminClient.Answer answer, PrintWriter out, PrintWriter err)
            throws AdminClient.UnreachableException {
        return printAnswer(answer, out);
    }

    private int printAnswer(AdminClient.Answer answer, PrintWriter out) {
        if (json) {
            out.println(answer.body().strip());
            return Main.OK;
        }
        try {
            out.print(StatusTable.render(MAPPER.readTree(answer.body())));
        } catch (IOException e) {
            out.println(answer.body());
        }
        return Main.OK;
    }

    int printRefusal(AdminClient.Answer answer, PrintWriter out, PrintWriter err) {
        if (json) {
            out.println(answer.body().strip());
        }
        String title = "HTTP " + answer.status();
        String detail = answer.body().strip();
        try {
            JsonNode problem = MAPPER.readTree(answer.body());
            if (problem != null && problem.has("detail")) {
                title = problem.path("title").asText(title);
                detail = problem.path("detail").asText();
            }
        } catch (IOException e) {
            // not problem+json (something else listens there): show the body as it is
        }
        err.println("holdport: " + action() + " refused (" + answer.status() + " " + title + "): " + detail);
        return Main.REFUSED;
    }

    /** {@code http://host:port} (a trailing slash or path is ignored), or {@code host:port}. */
    static URI baseUri(String text) {
        String withScheme = text.contains("://") ? text : "http://" + text;
        try {
            URI uri = new URI(withScheme);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                throw new IllegalArgumentException("\"" + text + "\" is not an http:// URL");
            }
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("\"" + text + "\" has no host");
            }
            if (uri.getPort() == 0 || uri.getPort() > 65535) {
                throw new IllegalArgumentException("\"" + text + "\": port " + uri.getPort() + " is out of range 1-65535");
            }
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), "/", null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a URL: " + e.getReason());
        }
    }
}
