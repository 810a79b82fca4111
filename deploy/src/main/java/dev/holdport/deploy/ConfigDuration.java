package dev.holdport.deploy;

import java.time.Duration;

/**
 * A duration in deploy messages and logs, written as the config file writes it ({@code 90s},
 * {@code 1500ms}), so an operator recognises the setting it came from.
 */
final class ConfigDuration {

    private ConfigDuration() {}

    static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
