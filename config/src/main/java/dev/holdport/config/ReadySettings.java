package dev.holdport.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code holdport.routes.<route>.slots.<slot>.ready}: the readiness gate a deploy waits on
 * before sending traffic to a freshly started process.
 *
 * @param type      tcp, http or exec
 * @param url       for {@code http}: the URL to GET; a path alone ({@code /healthz}) means that
 *                  path on the slot's address. Empty for the other types.
 * @param command   for {@code exec}: command and arguments, run in the slot's path. Empty otherwise.
 * @param interval  pause between two checks
 * @param timeout   the process must be ready within this long after it was started
 * @param successes consecutive successful checks needed
 */
public record ReadySettings(ReadyType type, Optional<String> url, List<String> command,
                            Duration interval, Duration timeout, int successes) {

    public ReadySettings {
        command = List.copyOf(command);
    }

    /** {@code holdport.slot-defaults.ready} as {@code reference.conf} sets it. */
    public static ReadySettings defaults() {
        return ConfigLoader.referenceSlotDefaults().ready();
    }
}
