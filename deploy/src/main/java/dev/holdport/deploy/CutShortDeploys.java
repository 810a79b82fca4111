package dev.holdport.deploy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The deploys the last holdport left unfinished, told to the operator when the next one starts. */
final class CutShortDeploys {

    /** Deployer's logger: operators filter on it for everything about deploys. */
    private static final Logger log = LoggerFactory.getLogger(Deployer.class);

    private CutShortDeploys() {}

    /**
     * Logs them: those still running when the last holdport stopped (cut without a clean
     * shutdown), and for a route that is paused now, the route's last deploy when it was
     * interrupted by a clean shutdown that left the route paused: nothing resumes such a route by
     * itself.
     */
    static void warn(DeployHistory history, Map<String, SupervisedRoute> routes) {
        for (Deploy cut : history.interruptedAtLoad()) {
            SupervisedRoute route = routes.get(cut.route());
            log.warn("deploy {} of route {} was cut short when holdport stopped (at step {}); the route is {} on slot {}:"
                    + " check it, then resume, switch or deploy as needed", cut.id(), cut.route(),
                    cut.failure().map(DeployFailure::step)
                            .or(() -> cut.steps().isEmpty() ? Optional.empty() : Optional.of(cut.steps().get(cut.steps().size() - 1).name()))
                            .orElse("before its first step"),
                    route == null ? "gone" : route.route.status().paused() ? "paused" : "open",
                    route == null ? "-" : route.route.status().activeSlot());
        }
        List<Deploy> newestFirst = history.list();
        for (SupervisedRoute route : routes.values()) {
            if (!route.route.status().paused()) {
                continue; // resumed since (or the state file was lost): nothing left to say
            }
            newestFirst.stream()
                    .filter(d -> d.route().equals(route.name()))
                    .findFirst()
                    .filter(DeployRun::interruptedLeavingRoutePaused)
                    .ifPresent(cut -> log.warn("deploy {} of route {} was interrupted when holdport stopped (at {}) and"
                                    + " left the route paused: it is still paused on slot {}; check the slots, then resume"
                                    + " or deploy", cut.id(), route.name(), lastStep(cut), route.route.status().activeSlot()));
        }
    }

    /**
     * The route's newest deploy, when it did not finish (cut short, or interrupted by a clean
     * shutdown that left the route paused) and the route is paused now: it may have stopped one
     * slot and started the other, so the start-up rule must not start the active slot beside it
     * ({@link CrashGuard#startUp}).
     */
    static Optional<Deploy> leftRouteMidway(DeployHistory history, SupervisedRoute route) {
        if (!route.route.status().paused()) {
            return Optional.empty();
        }
        List<String> cutIds = history.interruptedAtLoad().stream().map(Deploy::id).toList();
        return history.list().stream()
                .filter(d -> d.route().equals(route.name()))
                .findFirst()
                .filter(d -> cutIds.contains(d.id()) || DeployRun.interruptedLeavingRoutePaused(d));
    }

    private static String lastStep(Deploy deploy) {
        if (deploy.steps().isEmpty()) {
            return "its start";
        }
        DeployStep last = deploy.steps().get(deploy.steps().size() - 1);
        return (last.rollback() ? "rollback step " : "step ") + last.name();
    }
}
