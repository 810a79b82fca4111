package dev.holdport.deploy;

import java.util.Locale;

/** Where a deploy stands; every state but {@code RUNNING} is final. */
public enum DeployState {
    RUNNING,
    /** The new version serves. */
    SUCCEEDED,
    /** A step failed or timed out; the previous slot serves again. */
    ROLLED_BACK,
    /** Cancelled while running; the previous slot serves again. */
    CANCELLED,
    /**
     * A step failed and so did the rollback: the previous slot is active again, and the route was
     * either left paused for crash masking to resume once that slot is ready, or resumed to it as
     * a last resort (the failure says which).
     */
    FAILED,
    /** holdport stopped while the deploy ran (found so in the history at the next start). */
    INTERRUPTED;

    /** The spelling in JSON: {@code rolled_back}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean finished() {
        return this != RUNNING;
    }

    static DeployState parse(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }
}
