package dev.holdport.deploy;

import dev.holdport.proxy.RouteStatus;
import java.util.Optional;

/**
 * Makes the slot that served before a deploy serve again, once a forward step failed, timed out
 * or was cancelled. Its steps are recorded as rollback steps and cannot be cancelled; when one of
 * them fails too, {@link #lastResort()} makes sure no client held by the deploy is left with
 * nobody to release it, nor released to a process known not to be running.
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

    /**
     * When even the rollback failed, and this deploy holds clients. When the slot rolled back to
     * is supervised and its process is not running (it could not be started, or exited before it
     * was ready), releasing the clients to it would only have them retried against a closed port
     * and then closed. So the route stays paused, made active on that slot, and crash masking
     * takes it over: it restarts the process with backoff and resumes once it is ready, while the
     * clients wait (up to hold.timeout). Otherwise the route is resumed to that slot, as before.
     *
     * @return what became of the route, to add to the deploy's failure (empty when it was resumed
     *     or held no clients: the recorded steps say it)
     */
    String lastResort() {
        RouteStatus status = supervised.route.status();
        if (!steps.holdsClients(status)) {
            return "";
        }
        Optional<SlotProcess> process = supervised.process(from);
        String why;
        if (process.isEmpty()) {
            // Not supervised: holdport cannot tell whether it runs, nor start it.
            why = "slot " + from + " has no start command, so crash masking cannot start it";
        } else if (process.get().alive()) {
            // Its process runs (though not found ready, or the rollback failed elsewhere): it is not
            // known dead, and crash masking acts on exits only, so it would never resume the route.
            why = "slot " + from + "'s process runs";
        } else {
            why = handOverToCrashMasking(status, process.get());
            if (why == null) {
                return "; the route stays paused: crash masking restarts slot " + from
                        + " with backoff and resumes the route once it is ready";
            }
        }
        try {
            steps.resumeAsLastResort(from, why);
        } catch (StepFailure ignored) {
            // recorded
        }
        return "";
    }

    /**
     * Leaves the route paused on {@code from} for crash masking to take over.
     *
     * @return null when crash masking took over; else why it could not
     */
    private String handOverToCrashMasking(RouteStatus status, SlotProcess process) {
        if (!status.activeSlot().equals(from)) {
            try {
                steps.switchTo(from, "last resort: the route stays paused; slot " + from
                        + " gets the held clients once crash masking has it running");
            } catch (StepFailure f) {
                // Recorded. Resuming to from makes it active all the same.
                return "the route could not be switched to slot " + from + ": " + f.reason;
            }
        }
        if (supervised.guard().takeOverFromFailedRollback(process,
                "the rollback of a deploy could not get slot " + from + " running")) {
            return null;
        }
        // Crash masking has stopped: nobody would resume a route left paused, and the next
        // holdport would start it paused (the state file keeps the pause) with no one to resume it
        // either. Resumed, it starts open, and its start-up rule starts the slot.
        return "holdport is shutting down, so crash masking cannot restart slot " + from;
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
