package dev.holdport.bench.target;

/** A target that cannot run on this machine (not installed, failed to start); the run reports it as skipped. */
public final class TargetUnavailable extends Exception {

    private static final long serialVersionUID = 1L;

    public TargetUnavailable(String reason) {
        super(reason);
    }

    public TargetUnavailable(String reason, Throwable cause) {
        super(reason, cause);
    }
}
