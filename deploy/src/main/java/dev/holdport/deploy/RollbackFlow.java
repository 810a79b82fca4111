package dev.holdport.deploy;

import dev.holdport.proxy.RouteStatus;
import java.util.Optional;

/**
 * Makes the slot that served before a deploy serve again, once a forward step failed, timed out
 * or was cancelled. Its steps are recorded as rollback steps and cannot be cancelled; when one of
 * them fails too, {@link #lastResort()} makes sure the deploy leaves no client held.
 */
final class RollbackFlow {

    private final DeploySteps steps;
    private final SupervisedRoute supervised;
    private final String from;
    private final String to;

    /**
     * @param from the slot active when the deploy began: the one rolled back to
     * @param to   the slot the deploy was deploying
     */
    RollbackFlow(DeploySteps steps, SupervisedRoute supervised, String from, String to) {
        this.steps = steps;
        this.supervised = supervised;
        this.from = from;
        this.to = to;
    }

    /**
     * When {@code from} still runs the version it ran before the deploy, only the route changes
     * back (and a started {@code to} is drained and stopped). When it was stopped (or runs a new,
     * failed version, in restart mode) clients are held, {@code to} is stopped first (exclusive
     * resources), then {@code from} is started, waited on, and resumed.
     */
    void run() throws StepFailure {
        RouteStatus status = supervised.route.status();
        Optional<SlotProcess> fromProcess = supervised.process(from);
        boolean fromServes = fromProcess.isEmpty()
                || (fromProcess.get().alive() && !steps.startedByThisDeploy(from));
        if (fromServes) {
            steps.resumeOrSwitch(from);
            stopTarget(status);
            return;
        }
        if (!status.paused()) {
            steps.pause();
        }
        stopTarget(status);
        if (steps.running(from)) {
            steps.stop(from);
        }
        steps.start(from);
        steps.ready(from);
        steps.resumeOrSwitch(from);
    }

    /** When even the rollback failed: never leave clients held by this deploy. */
    void lastResort() {
        if (steps.holdsClients(supervised.route.status())) {
            try {
                steps.resumeAsLastResort(from);
            } catch (StepFailure ignored) {
                // recorded
            }
        }
    }

    /**
     * Stops the deploy's target slot if it runs (and is not the slot rolled back to), after
     * draining it when it had the traffic as the rollback began.
     */
    private void stopTarget(RouteStatus atStart) throws StepFailure {
        if (!to.equals(from) && steps.running(to)) {
            if (atStart.activeSlot().equals(to)) {
                steps.drain(to);
            }
            steps.stop(to);
        }
    }
}
