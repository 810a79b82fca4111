package dev.holdport.deploy;

/**
 * A step of a deploy did not succeed: carries the step's name and why. Thrown out of a flow, it
 * ends the forward steps (then the rollback runs) or the rollback (then the last resort runs).
 */
final class StepFailure extends Exception {

    private static final long serialVersionUID = 1L;

    /** The step, as {@link DeployStep#name()}; null while thrown inside a step's body. */
    final String step;
    final String reason;
    /** Stopped by a cancel or by holdport shutting down, not by a failure. */
    final boolean cancelled;

    StepFailure(String step, String reason, boolean cancelled) {
        // No stack trace: this is an outcome, not a bug, and a deploy may throw several.
        super(step + ": " + reason, null, false, false);
        this.step = step;
        this.reason = reason;
        this.cancelled = cancelled;
    }

    /** Thrown by a step's body; {@link DeployRun#step} records it and adds the step's name. */
    StepFailure(String reason) {
        this(null, reason, false);
    }
}
