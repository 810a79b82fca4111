package dev.holdport.admin.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdport.deploy.Deploy;
import dev.holdport.deploy.DeployConflictException;
import dev.holdport.deploy.DeployJson;
import dev.holdport.deploy.DeployMode;
import dev.holdport.deploy.DeployRequest;
import dev.holdport.deploy.Deployer;
import dev.holdport.deploy.InvalidDeployException;
import dev.holdport.deploy.UnknownRouteException;
import dev.holdport.proxy.Proxy;
import dev.holdport.proxy.Route;
import dev.holdport.proxy.UnknownSlotException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The one-call deploy endpoints, beside the pause/resume/switch ones of {@link ApiHandler}:
 *
 * <pre>
 *   POST /deploy    /routes/{route}/deploy      {"slot": "b", "mode": "switch", "timeout": "90s"}
 *   POST /rollback  /routes/{route}/rollback    {"mode": "exclusive", "timeout": "90s"}
 *   GET  /deploys   GET|DELETE /deploys/{id}
 * </pre>
 *
 * A deploy runs in the background: starting one answers 202 at once with its first snapshot and
 * a {@code Location} to poll. The caller names a slot, a mode and a time limit, never a command
 * or a path: those come only from the config file.
 */
final class DeployEndpoints {

    private static final Set<String> DEPLOY_ARGUMENTS =
            Set.of(ActionArguments.SLOT, ActionArguments.MODE, ActionArguments.TIMEOUT);
    private static final Set<String> ROLLBACK_ARGUMENTS = Set.of(ActionArguments.MODE, ActionArguments.TIMEOUT);

    /** What one of these endpoints answers; {@code audit} is the log line of a state change, if it made one. */
    record Answer(int status, JsonNode body, Optional<String> location, Optional<String> audit) {}

    /** Which endpoint a path names, before the method is checked. */
    record Target(String endpoint, Optional<String> route, Optional<String> deployId) {

        String allowedMethods() {
            return switch (endpoint) {
                case "deploys" -> "GET";
                case "deploy-by-id" -> "GET, DELETE";
                default -> "POST";
            };
        }

        /** The arguments it takes, in the body or the query; anything else is refused. */
        Set<String> arguments() {
            return switch (endpoint) {
                case "deploy" -> DEPLOY_ARGUMENTS;
                case "rollback" -> ROLLBACK_ARGUMENTS;
                default -> Set.of();
            };
        }
    }

    private final Deployer deployer;
    private final Proxy proxy;

    DeployEndpoints(Deployer deployer, Proxy proxy) {
        this.deployer = deployer;
        this.proxy = proxy;
    }

    /** The endpoint {@code parts} (a path split on "/") names, if it is one of these. */
    static Optional<Target> target(String[] parts) {
        if (parts.length == 2 && (parts[1].equals("deploy") || parts[1].equals("rollback"))) {
            return Optional.of(new Target(parts[1], Optional.empty(), Optional.empty()));
        }
        if (parts.length == 2 && parts[1].equals("deploys")) {
            return Optional.of(new Target("deploys", Optional.empty(), Optional.empty()));
        }
        if (parts.length == 3 && parts[1].equals("deploys") && !parts[2].isEmpty()) {
            return Optional.of(new Target("deploy-by-id", Optional.empty(), Optional.of(parts[2])));
        }
        if (parts.length == 4 && parts[1].equals("routes") && (parts[3].equals("deploy") || parts[3].equals("rollback"))) {
            return Optional.of(new Target(parts[3], Optional.of(parts[2]), Optional.empty()));
        }
        return Optional.empty();
    }

    /**
     * Serves a request whose method has been checked and whose arguments are parsed.
     *
     * @throws ApiProblem for every refusal
     */
    Answer serve(Target target, String method, ActionArguments arguments) {
        target.route().ifPresent(this::requireRoute);
        return switch (target.endpoint()) {
            case "deploy" -> started(() -> {
                String slot = arguments.slot().orElseThrow(() -> ApiProblem.invalidRequest(
                        "deploy needs a slot: {\"slot\": \"b\"} or ?slot=b"));
                DeployRequest request = request(slot, arguments);
                return target.route().isPresent()
                        ? deployer.deploy(target.route().get(), request)
                        : deployer.deploy(request);
            });
            case "rollback" -> started(() -> {
                Optional<DeployMode> mode = mode(arguments);
                Optional<Duration> timeout = timeout(arguments);
                return target.route().isPresent()
                        ? deployer.rollback(target.route().get(), mode, timeout)
                        : deployer.rollback(mode, timeout);
            });
            case "deploys" -> {
                ObjectNode list = JsonResponse.MAPPER.createObjectNode();
                list.set("deploys", DeployJson.toJson(deployer.deploys()));
                yield new Answer(200, list, Optional.empty(), Optional.empty());
            }
            case "deploy-by-id" -> method.equals("DELETE")
                    ? cancel(target.deployId().orElseThrow())
                    : new Answer(200, DeployJson.toJson(find(target.deployId().orElseThrow())),
                            Optional.empty(), Optional.empty());
            default -> throw new IllegalStateException("no deploy endpoint " + target.endpoint());
        };
    }

    /**
     * Runs on the Jetty request thread, and may block it: the deployer takes the route's lock and
     * fsyncs the deploy history. That is allowed and bounded, so it stays here. {@link ApiHandler}
     * is a blocking handler, so Jetty never runs this where blocking would stall its I/O, and other
     * requests are served by other threads meanwhile. The fsync takes milliseconds; the lock is held
     * at worst while the crash guard stops a slot process that never became ready (bounded by the
     * slot's stop-timeout), and a deploy must wait for that stop anyway.
     */
    private Answer started(Supplier<Deploy> start) {
        Deploy deploy;
        try {
            deploy = start.get();
        } catch (DeployConflictException e) {
            throw ApiProblem.deployConflict(e.getMessage(), e.runningId());
        } catch (UnknownRouteException e) {
            throw ApiProblem.unknownRoute(e.route(), routeNames());
        } catch (UnknownSlotException e) {
            throw ApiProblem.unknownSlot(e.getMessage());
        } catch (InvalidDeployException e) {
            throw ApiProblem.invalidDeploy(e.getMessage());
        } catch (IllegalStateException e) {
            throw ApiProblem.shuttingDown(e.getMessage()); // the deployer refuses new deploys once closing
        }
        String audit = (deploy.rollback() ? "rollback " : "deploy ") + deploy.id() + " started: " + deploy.mode().label()
                + " of route " + deploy.route() + " from slot " + deploy.fromSlot() + " to slot " + deploy.slot();
        return new Answer(202, DeployJson.toJson(deploy), Optional.of(location(deploy.id())), Optional.of(audit));
    }

    /** Blocks at most for a deploy history write in progress (an fsync), as {@link #started} explains. */
    private Answer cancel(String id) {
        Deployer.Cancellation cancellation = deployer.cancel(id).orElseThrow(() -> ApiProblem.unknownDeploy(id));
        Deploy deploy = cancellation.deploy();
        if (deploy.finished()) {
            throw ApiProblem.deployEnded("deploy " + id + " has already ended (" + deploy.state().label()
                    + "); to undo a finished deploy, POST /routes/" + deploy.route() + "/rollback");
        }
        if (!cancellation.takesEffect()) {
            throw ApiProblem.deployRollingBack("deploy " + id + " is already rolling back to slot " + deploy.fromSlot()
                    + "; a cancel changes nothing now: it ends as the rollback does");
        }
        String audit = "cancel of deploy " + id + " requested (route " + deploy.route() + "): it rolls back to slot "
                + deploy.fromSlot();
        return new Answer(202, DeployJson.toJson(deploy), Optional.of(location(id)), Optional.of(audit));
    }

    private Deploy find(String id) {
        return deployer.find(id).orElseThrow(() -> ApiProblem.unknownDeploy(id));
    }

    private static DeployRequest request(String slot, ActionArguments arguments) {
        try {
            return new DeployRequest(slot, mode(arguments), timeout(arguments));
        } catch (IllegalArgumentException e) {
            throw ApiProblem.invalidRequest(e.getMessage());
        }
    }

    private static Optional<DeployMode> mode(ActionArguments arguments) {
        try {
            return arguments.mode().map(DeployMode::parse);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.invalidRequest(e.getMessage());
        }
    }

    private static Optional<Duration> timeout(ActionArguments arguments) {
        Optional<Duration> timeout = arguments.timeout();
        if (timeout.isPresent() && timeout.get().isZero()) {
            throw ApiProblem.invalidRequest("timeout must be greater than zero");
        }
        return timeout;
    }

    private void requireRoute(String name) {
        if (proxy.route(name).isEmpty()) {
            throw ApiProblem.unknownRoute(name, routeNames());
        }
    }

    private Iterable<String> routeNames() {
        return proxy.routes().stream().map(Route::name).toList();
    }

    private static String location(String id) {
        return "/deploys/" + URLEncoder.encode(id, StandardCharsets.UTF_8);
    }
}
