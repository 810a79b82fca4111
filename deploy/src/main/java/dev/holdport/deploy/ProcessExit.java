package dev.holdport.deploy;

import java.util.OptionalInt;

/**
 * How a supervised process ended.
 *
 * @param pid      its process id
 * @param status   its exit status; empty for an adopted process (not holdport's child, so the
 *                 status is not known)
 * @param expected true when holdport stopped it (a stop, not a crash)
 */
record ProcessExit(long pid, OptionalInt status, boolean expected) {

    /** {@code "exited with status 1"}, {@code "was killed by signal 9 (status 137)"}, {@code "exited"}. */
    String describe() {
        if (status.isEmpty()) {
            return "exited";
        }
        int s = status.getAsInt();
        // Java reports a process killed by signal N as status 128 + N.
        if (s > 128 && s < 128 + 65) {
            return "was killed by signal " + (s - 128) + " (status " + s + ")";
        }
        return "exited with status " + s;
    }
}
