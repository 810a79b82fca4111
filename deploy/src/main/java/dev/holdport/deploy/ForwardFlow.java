package dev.holdport.deploy;

/**
 * The forward steps of a deploy, one method per {@link DeployMode}. The first step that fails
 * throws {@link StepFailure}; {@link DeployRun} then runs the {@link RollbackFlow}.
 */
final class ForwardFlow {

    private final DeploySteps steps;
    private final String from;
    private final String to;

    /**
     * @param from the slot active when the deploy began
     * @param to   the slot deployed (the same as {@code from} for a restart)
     */
    ForwardFlow(DeploySteps steps, String from, String to) {
        this.steps = steps;
        this.from = from;
        this.to = to;
    }

    void run(DeployMode mode) throws StepFailure {
        switch (mode) {
            case SWITCH:
                switchSlots();
                break;
            case EXCLUSIVE:
                exclusive();
                break;
            case RESTART:
                restart();
                break;
            default:
                throw new IllegalStateException("unknown mode " + mode);
        }
    }

    /**
     * Both versions run at once: the new slot is ready before traffic moves, so no client is held.
     * Should the new slot's process exit after it was ready (after the switch, say), the step then
     * running fails and the deploy rolls back to {@code from}: the final resume, there when the
     * route was paused for a crash, never releases clients to a dead new version (see
     * {@link DeploySteps}).
     */
    private void switchSlots() throws StepFailure {
        stopLeftover();
        steps.start(to);
        steps.ready(to);
        steps.switchTo(to, "new connections go to slot " + to + "; live relays to slot " + from + " continue");
        steps.drain(from);
        steps.stop(from);
        if (steps.pausedForCrash()) {
            steps.resume(to);
        }
    }

    /** The versions cannot run at once: clients are held from before the old slot stops until the new one is ready. */
    private void exclusive() throws StepFailure {
        stopLeftover();
        steps.pause();
        steps.drain(from);
        steps.stop(from);
        steps.start(to);
        steps.ready(to);
        steps.resumeOrSwitch(to);
    }

    /** The active slot in place: held, drained, stopped, started again, resumed once ready. */
    private void restart() throws StepFailure {
        steps.pause();
        steps.drain(to);
        steps.stop(to);
        steps.start(to);
        steps.ready(to);
        steps.resumeOrSwitch(to);
    }

    /** A process still running in the target slot is not the new version: stop it before starting that. */
    private void stopLeftover() throws StepFailure {
        if (!to.equals(from) && steps.running(to)) {
            steps.stop(to);
        }
    }
}
