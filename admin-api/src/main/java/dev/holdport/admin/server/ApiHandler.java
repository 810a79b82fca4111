package dev.holdport.admin.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdport.admin.metrics.HoldportMetrics;
import dev.holdport.config.HoldportConfig;
import dev.holdport.config.RouteConfig;
import dev.holdport.deploy.Deployer;
import dev.holdport.deploy.SlotProcessStatus;
import dev.holdport.proxy.DrainResult;
import dev.holdport.proxy.Proxy;
import dev.holdport.proxy.Route;
import dev.holdport.proxy.RouteStatus;
import dev.holdport.proxy.RouteShutDownException;
import dev.holdport.proxy.UnknownSlotException;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every endpoint of the admin API, as one Jetty core handler:
 *
 * <pre>
 *   GET  /status   POST /pause  /resume  /switch  /drain        every route
 *   GET  /routes/{route}/status   POST /routes/{route}/pause|resume|switch|drain
 *   GET  /metrics  /healthz  /readyz  /openapi.yaml
 *   POST /deploy  /rollback  /routes/{route}/deploy|rollback   GET /deploys   GET|DELETE /deploys/{id}
 * </pre>
 *
 * The deploy endpoints are served by {@link DeployEndpoints}.
 *
 * Answers are JSON; refusals are {@code application/problem+json}. Bodies are read
 * asynchronously and a drain answers when its future completes, so no request waits on the
 * network or on the data plane with a Jetty thread. Starting a deploy does block its thread
 * briefly (see {@link DeployEndpoints}), which this handler allows by declaring itself blocking.
 */
public final class ApiHandler extends Handler.Abstract {

    private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);

    static final int BODY_LIMIT = 64 * 1024;
    private static final String JSON = "application/json";
    /** How long past its own timeout a drain may take to answer before the API gives up on it. */
    private static final Duration DRAIN_GRACE = Duration.ofSeconds(10);

    /** Actions that exist for every route and for one; their method and the arguments they take. */
    private static final Map<String, Action> ROUTE_ACTIONS = Map.of(
            "status", new Action("GET", Set.of()),
            "pause", new Action("POST", Set.of()),
            "resume", new Action("POST", Set.of(ActionArguments.SLOT)),
            "switch", new Action("POST", Set.of(ActionArguments.SLOT)),
            "drain", new Action("POST", Set.of(ActionArguments.TIMEOUT)));
    /** Endpoints of the process as a whole; all GET. */
    private static final Set<String> PROCESS_ENDPOINTS = Set.of("metrics", "healthz", "readyz", "openapi.yaml");
    /** Probes answer without the token: they reveal nothing and probes rarely carry secrets. */
    private static final Set<String> OPEN_PATHS = Set.of("/healthz", "/readyz");

    private record Action(String method, Set<String> arguments) {}

    private final Proxy proxy;
    private final Deployer deployer;
    private final HoldportConfig config;
    private final HoldportMetrics metrics;
    private final Optional<BearerToken> token;
    private final DeployEndpoints deploys;
    private final PrometheusTextFormatWriter metricsWriter = PrometheusTextFormatWriter.create();
    private final String openApi;

    public ApiHandler(Proxy proxy, Deployer deployer, HoldportConfig config, HoldportMetrics metrics,
                      Optional<String> token) {
        // Blocking (Handler.Abstract's default, said here on purpose): Jetty then never calls it,
        // nor the body callbacks it registers, where blocking would stall I/O. Declaring it
        // non-blocking would first need the deploy calls moved off the request thread.
        super(InvocationType.BLOCKING);
        this.proxy = proxy;
        this.deployer = deployer;
        this.deploys = new DeployEndpoints(deployer, proxy);
        this.config = config;
        this.metrics = metrics;
        this.token = token.filter(t -> !t.isEmpty()).map(BearerToken::new);
        this.openApi = readOpenApi();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        String method = request.getMethod();
        try {
            if (path == null) {
                // A request without a path (a CONNECT, as some transports give it): no endpoint
                // takes it, refused before the token check so that it costs nothing but this answer.
                throw ApiProblem.methodNotAllowed(method, request.getHttpURI().getAuthority(), "GET, POST or DELETE on a path");
            }
            if (token.isPresent() && !OPEN_PATHS.contains(path)) {
                String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
                if (!token.get().accepts(authorization)) {
                    if (!"GET".equals(method)) {
                        log.warn("admin: refused {} {} from {}: {} token", method, path, who(request),
                                authorization == null ? "no" : "wrong");
                    }
                    throw ApiProblem.unauthorized(authorization != null);
                }
            }
            dispatch(request, response, callback, path, method);
        } catch (ApiProblem problem) {
            ProblemResponse.write(request, response, callback, problem);
        } catch (RuntimeException e) {
            fail(request, response, callback, e);
        }
        return true;
    }

    private void dispatch(Request request, Response response, Callback callback, String path, String method) {
        String[] parts = path.split("/", -1);
        // "/pause" -> ["", "pause"]; "/routes/web/pause" -> ["", "routes", "web", "pause"]
        if (parts.length == 2 && PROCESS_ENDPOINTS.contains(parts[1])) {
            // HEAD as well: monitors probe with it (Jetty sends the headers, not the body).
            if (!"HEAD".equals(method)) {
                requireMethod("GET", method, path, "GET, HEAD");
            }
            processEndpoint(parts[1], request, response, callback);
            return;
        }
        Optional<DeployEndpoints.Target> deployTarget = DeployEndpoints.target(parts);
        if (deployTarget.isPresent()) {
            deployEndpoint(deployTarget.get(), request, response, callback, path, method);
            return;
        }
        Optional<String> routeName;
        String actionName;
        if (parts.length == 2 && ROUTE_ACTIONS.containsKey(parts[1])) {
            routeName = Optional.empty();
            actionName = parts[1];
        } else if (parts.length == 4 && parts[1].equals("routes") && ROUTE_ACTIONS.containsKey(parts[3])) {
            routeName = Optional.of(parts[2]);
            actionName = parts[3];
        } else {
            throw ApiProblem.unknownPath(path);
        }
        Action action = ROUTE_ACTIONS.get(actionName);
        requireMethod(action.method(), method, path);
        Optional<Route> route = routeName.map(name -> proxy.route(name).orElseThrow(
                () -> ApiProblem.unknownRoute(name, proxy.routes().stream().map(Route::name).toList())));
        Fields query = queryOf(request);

        CompletableFuture<byte[]> body = action.method().equals("POST")
                ? BodyReader.read(request, BODY_LIMIT)
                : CompletableFuture.completedFuture(new byte[0]);
        CompletableFuture<JsonNode> answer = body.thenCompose(bytes -> {
            ActionArguments arguments = ActionArguments.parse(actionName, action.arguments(), bytes, query);
            if (actionName.equals("drain")) {
                // A drain may rightly take minutes with nothing on the wire: Jetty's idle
                // timeout must not cut it short (the drain's own timeout bounds it).
                request.addIdleTimeoutListener(timeout -> false);
            }
            return act(actionName, route, arguments);
        });
        answer.whenComplete((json, failure) -> {
            if (failure == null) {
                if (!actionName.equals("status")) {
                    log.info("admin: {} {} from {} -> {}", method, path, who(request), summary(json));
                }
                JsonResponse.write(response, callback, 200, JSON, json);
            } else {
                answerFailure(request, response, callback, failure);
            }
        });
    }

    private void deployEndpoint(DeployEndpoints.Target target, Request request, Response response, Callback callback,
                                String path, String method) {
        String allowed = target.allowedMethods();
        if (!List.of(allowed.split(", ")).contains(method)) {
            throw ApiProblem.methodNotAllowed(method, path, allowed);
        }
        Fields query = queryOf(request);
        CompletableFuture<byte[]> body = method.equals("POST")
                ? BodyReader.read(request, BODY_LIMIT)
                : CompletableFuture.completedFuture(new byte[0]);
        body.thenApply(bytes -> deploys.serve(target, method,
                        ActionArguments.parse(method + " " + path, target.arguments(), bytes, query)))
                .whenComplete((answer, failure) -> {
                    if (failure != null) {
                        answerFailure(request, response, callback, failure);
                        return;
                    }
                    answer.audit().ifPresent(line -> log.info("admin: {} {} from {} -> {}", method, path, who(request), line));
                    answer.location().ifPresent(location -> response.getHeaders().put(HttpHeader.LOCATION, location));
                    JsonResponse.write(response, callback, answer.status(), JSON, answer.body());
                });
    }

    private static Fields queryOf(Request request) {
        try {
            return Request.extractQueryParameters(request);
        } catch (RuntimeException e) {
            throw ApiProblem.invalidRequest("the query is not valid URL encoding: " + request.getHttpURI().getQuery());
        }
    }

    private CompletableFuture<JsonNode> act(String action, Optional<Route> route, ActionArguments arguments) {
        try {
            switch (action) {
                case "status":
                    return done(route.map(r -> single(r.status())).orElseGet(() -> all(proxy.status())));
                case "pause":
                    return done(route.map(r -> single(r.pause())).orElseGet(() -> all(proxy.pause())));
                case "resume": {
                    Optional<String> slot = arguments.slot();
                    if (route.isPresent()) {
                        Route r = route.get();
                        return done(single(slot.isPresent() ? r.resume(slot.get()) : r.resume()));
                    }
                    return done(all(slot.isPresent() ? proxy.resume(slot.get()) : proxy.resume()));
                }
                case "switch": {
                    String slot = arguments.slot().orElseThrow(() -> ApiProblem.invalidRequest(
                            "switch needs a slot: {\"slot\": \"b\"} or ?slot=b"));
                    return done(route.map(r -> single(r.switchTo(slot))).orElseGet(() -> all(proxy.switchTo(slot))));
                }
                case "drain":
                    return drain(route, arguments.timeout());
                default:
                    throw new IllegalStateException("no action " + action);
            }
        } catch (UnknownSlotException e) {
            throw ApiProblem.unknownSlot(e.getMessage());
        } catch (RouteShutDownException e) {
            throw ApiProblem.shuttingDown(e.getMessage());
        }
    }

    private CompletableFuture<JsonNode> drain(Optional<Route> route, Optional<Duration> requested) {
        if (route.isPresent()) {
            Route r = route.get();
            Duration timeout = requested.orElseGet(() -> config.route(r.name()).drainTimeout());
            return bounded(r.drain(timeout), timeout)
                    .thenApply(result -> StatusJson.drained(r.status(), result, deployer.slots()));
        }
        Duration timeout = requested.orElseGet(() -> config.routes().stream()
                .map(RouteConfig::drainTimeout).max(Duration::compareTo).orElse(Duration.ZERO));
        return bounded(proxy.drain(timeout), timeout).thenApply(results -> {
            Map<String, DrainResult> byRoute = results.stream()
                    .collect(Collectors.toMap(DrainResult::route, d -> d));
            List<SlotProcessStatus> processes = deployer.slots();
            ObjectNode node = JsonResponse.MAPPER.createObjectNode();
            var array = node.putArray("routes");
            for (RouteStatus status : proxy.status()) {
                DrainResult result = byRoute.get(status.route());
                array.add(result == null
                        ? StatusJson.route(status, processes)
                        : StatusJson.drained(status, result, processes));
            }
            return node;
        });
    }

    /** The proxy bounds a drain by its timeout; this only keeps a lost future from hanging a request. */
    private static <T> CompletableFuture<T> bounded(CompletableFuture<T> drain, Duration timeout) {
        long millis = timeout.plus(DRAIN_GRACE).toMillis();
        return drain.orTimeout(millis, TimeUnit.MILLISECONDS);
    }

    private void processEndpoint(String endpoint, Request request, Response response, Callback callback) {
        switch (endpoint) {
            case "healthz" -> JsonResponse.write(response, callback, 200, JSON,
                    JsonResponse.MAPPER.createObjectNode().put("status", "ok"));
            case "readyz" -> {
                if (!proxy.listenersBound()) {
                    throw ApiProblem.notReady("not every route's listener is bound");
                }
                JsonResponse.write(response, callback, 200, JSON,
                        JsonResponse.MAPPER.createObjectNode().put("status", "ready"));
            }
            case "metrics" -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
                try {
                    metricsWriter.write(out, metrics.scrape());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                JsonResponse.writeText(response, callback, 200, metricsWriter.getContentType(),
                        out.toString(StandardCharsets.UTF_8));
            }
            case "openapi.yaml" -> JsonResponse.writeText(response, callback, 200, "application/yaml", openApi);
            default -> throw new IllegalStateException("no endpoint " + endpoint);
        }
    }

    private static void requireMethod(String allowed, String method, String path) {
        requireMethod(allowed, method, path, allowed);
    }

    /** @param allowHeader the methods the path takes, for the 405's {@code Allow} header */
    private static void requireMethod(String allowed, String method, String path, String allowHeader) {
        if (!allowed.equals(method)) {
            throw ApiProblem.methodNotAllowed(method, path, allowHeader);
        }
    }

    private static CompletableFuture<JsonNode> done(JsonNode json) {
        return CompletableFuture.completedFuture(json);
    }

    private JsonNode single(RouteStatus status) {
        return StatusJson.route(status, deployer.slots());
    }

    private JsonNode all(List<RouteStatus> statuses) {
        return StatusJson.allRoutes(statuses, deployer.slots());
    }

    private void answerFailure(Request request, Response response, Callback callback, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof ApiProblem problem) {
            ProblemResponse.write(request, response, callback, problem);
        } else if (cause instanceof UnknownSlotException e) {
            ProblemResponse.write(request, response, callback, ApiProblem.unknownSlot(e.getMessage()));
        } else if (cause instanceof TimeoutException) {
            log.error("admin: {} {} from {}: the drain did not answer in time", request.getMethod(),
                    request.getHttpURI().getPath(), who(request));
            ProblemResponse.write(request, response, callback,
                    ApiProblem.ofStatus(504, "Drain did not answer", "the drain did not answer within its timeout"));
        } else if (cause instanceof IOException) {
            // The client went away mid-body: nobody is left to answer.
            callback.failed(cause);
        } else {
            fail(request, response, callback, cause);
        }
    }

    private static void fail(Request request, Response response, Callback callback, Throwable failure) {
        log.error("admin: {} {} from {} failed", request.getMethod(), request.getHttpURI().getPath(), who(request),
                failure);
        ProblemResponse.write(request, response, callback,
                ApiProblem.ofStatus(500, "Internal error", "holdport failed to answer; its log says why"));
    }

    /** Who made a request, for the log: the peer's address, or the local user behind the Unix socket. */
    static String who(Request request) {
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        if (remote instanceof InetSocketAddress inet) {
            return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        Object transport = request.getConnectionMetaData().getConnection().getEndPoint().getTransport();
        if (transport instanceof SocketChannel channel) {
            try {
                UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
                return "user " + peer.user().getName() + " on the unix socket";
            } catch (IOException | UnsupportedOperationException e) {
                // fall through: the socket is all we know
            }
        }
        return "the unix socket";
    }

    /** One line per route of what a state change left: {@code web paused, active a, held 3}. */
    private static String summary(JsonNode json) {
        List<JsonNode> routes = new java.util.ArrayList<>();
        if (json.has("routes")) {
            json.get("routes").forEach(routes::add);
        } else {
            routes.add(json);
        }
        return routes.stream().map(r -> {
            String line = r.path("route").asText() + " " + r.path("state").asText() + ", active "
                    + r.path("active").asText() + ", held " + r.path("held").asInt();
            JsonNode drain = r.path("drain");
            if (drain.isObject()) {
                line += drain.path("drained").asBoolean()
                        ? ", drained" : ", " + drain.path("remaining").asInt() + " relays remained";
            }
            return line;
        }).collect(Collectors.joining("; "));
    }

    private static String readOpenApi() {
        try (InputStream in = ApiHandler.class.getResourceAsStream("/openapi.yaml")) {
            if (in == null) {
                throw new IllegalStateException("openapi.yaml is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
