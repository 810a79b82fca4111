package dev.holdport.deploy;

import dev.holdport.proxy.RouteStatus;
import java.util.Optional;

/**
 * Makes the slot that served before a deploy serve again, once a forward step failed, timed out
 * or was cancelled. Its steps are recorded as rollback steps and cannot be cancelled; when one of
 * them fails too, {@link #lastResort()} makes sure no client held by the deploy is left with
 * nobody to release it, nor released to a process not running or not found ready.
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
     * back (and a started {@code to} is drained and stopped); should the route hold clients, they
     * are released to {@code from} once its readiness check passes. When it was stopped (or runs
     * a new, failed version, in restart mode) clients are held, {@code to} is stopped first
     * (exclusive resources), then {@code from} is started, waited on, and resumed.
     */
    void run() throws StepFailure {
        RouteStatus status = supervised.route.status();
        Optional<SlotProcess> fromProcess = supervised.process(from);
        boolean fromServes = fromProcess.isEmpty()
                || (fromProcess.get().alive() && !steps.startedByThisDeploy(from));
        if (fromServes) {
            if (fromProcess.isPresent()) {
                // A running process is not proof that it serves (crash masking may have been
                // waiting for it to become ready when the deploy took over): held clients are
                // released to it only once its readiness check passes. Not ready, the rollback
                // fails and crash masking takes the paused route over (lastResort).
                steps.resumeOrSwitchOnceReady(from);
            } else {
                steps.resumeOrSwitch(from);
            }
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
     * What the last resort did: the words to add to the deploy's failure (empty when the route was
     * resumed or held no clients: the recorded steps say it), and whether the route was left paused.
     */
    record LastResort(String note, boolean routeLeftPaused) {}

    /**
     * When even the rollback failed, and this deploy holds clients. When the slot rolled back to
     * is supervised, releasing the clients to it now would hand them to a process that is not
     * running (it could not be started, or exited before it was ready) or was not found ready
     * (they would be retried against a closed port, or wait on a process that does not answer).
     * So the route stays paused, made active on that slot, and crash masking takes it over: it
     * waits for a running process to become ready, restarts one that is not running or never
     * becomes ready with backoff, and resumes once it is ready, while the clients wait (up to
     * hold.timeout). Only when crash masking cannot do that (the slot has no start command, or
     * holdport is shutting down) is the route resumed to that slot.
     */
    LastResort lastResort() {
        RouteStatus status = supervised.route.status();
        if (!steps.holdsClients(status)) {
            return new LastResort("", false);
        }
        Optional<SlotProcess> process = supervised.process(from);
        String why;
        if (process.isEmpty()) {
            // Not supervised: holdport cannot tell whether it runs, nor start it.
            why = "slot " + from + " has no start command, so crash masking cannot start it";
        } else {
            boolean runs = process.get().alive();
            why = handOverToCrashMasking(status, process.get(), runs);
            if (why == null) {
                return new LastResort(runs
                        ? "; the route stays paused: crash masking waits for slot " + from + "'s running process to"
                                + " become ready (restarting it with backoff if it does not) and resumes the route then"
                        : "; the route stays paused: crash masking restarts slot " + from
                                + " with backoff and resumes the route once it is ready", true);
            }
        }
        try {
            steps.resumeAsLastResort(from, why);
        } catch (StepFailure ignored) {
            // recorded
        }
        // Should even this resume have failed (or been refused), the route is still paused holding
        // clients and nobody owns that pause: crash masking did not take it over, so neither it nor
        // the next holdport resumes it; only an operator (or pause.max-duration) does. The
        // failure's route_left_paused says so.
        return new LastResort("", steps.holdsClients(supervised.route.status()));
    }

    /**
     * Leaves the route paused on {@code from} for crash masking to take over.
     *
     * @param runs whether {@code process} runs (found not ready) rather than not running
     * @return null when crash masking took over; else why it could not
     */
    private String handOverToCrashMasking(RouteStatus status, SlotProcess process, boolean runs) {
        if (!status.activeSlot().equals(from)) {
            try {
                steps.switchTo(from, "last resort: the route stays paused; slot " + from
                        + " gets the held clients once crash masking has it " + (runs ? "ready" : "running"));
            } catch (StepFailure f) {
                // Recorded. Resuming to from makes it active all the same.
                return "the route could not be switched to slot " + from + ": " + f.reason;
            }
        }
        if (supervised.guard().takeOverFromFailedRollback(process, runs
                ? "the rollback of a deploy did not find slot " + from + "'s running process ready"
                : "the rollback of a deploy could not get slot " + from + " running")) {
            return null;
        }
        // Crash masking has stopped: nobody would resume a route left paused, and the next
        // holdport would start it paused (the state file keeps the pause) with no one to resume it
        // either. Resumed, it starts open, and its start-up rule starts the slot.
        return "holdport is shutting down, so crash masking cannot " + (runs ? "wait for" : "restart") + " slot " + from;
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
