package dev.holdport.deploy;

import java.util.Locale;

/** How a deploy replaces what runs. */
public enum DeployMode {
    /**
     * Both versions can run at once: start the new slot, wait until it is ready, switch to it,
     * drain the old slot, stop it. Clients are never held.
     */
    SWITCH,
    /**
     * The versions cannot run at once (a shared data directory, a lock, the same port): pause,
     * drain, stop the old slot, start the new one, wait until it is ready, resume to it.
     */
    EXCLUSIVE,
    /** The same slot in place: pause, drain, stop, start, wait until ready, resume. */
    RESTART;

    /** The spelling in JSON and on the command line: {@code switch}, {@code exclusive}, {@code restart}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a label; the message of the exception lists the valid ones. */
    public static DeployMode parse(String text) {
        for (DeployMode mode : values()) {
            if (mode.label().equals(text == null ? "" : text.trim().toLowerCase(Locale.ROOT))) {
                return mode;
            }
        }
        throw new IllegalArgumentException("mode \"" + text + "\" is not one of switch, exclusive, restart");
    }
}
