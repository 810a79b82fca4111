package dev.holdport.deploy;

import java.util.Locale;

/** How one step of a deploy went. */
public enum StepOutcome {
    RUNNING,
    OK,
    FAILED,
    /** Stopped by a cancel (or by holdport shutting down). */
    CANCELLED;

    /** The spelling in JSON: {@code ok}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static StepOutcome parse(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }
}
