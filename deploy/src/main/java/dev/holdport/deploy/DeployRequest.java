package dev.holdport.deploy;

import java.time.Duration;
import java.util.Optional;

/**
 * What an API caller may ask for: a slot, a mode and a time limit. Never a command or a path:
 * those come only from the config file.
 *
 * @param slot    the slot to deploy
 * @param mode    empty = {@code restart} when {@code slot} is the active slot, else {@code switch}
 * @param timeout the forward steps must all be done within this long, else the deploy rolls
 *                back; empty = only each step's own limit applies ({@code ready.timeout},
 *                {@code drain.timeout}, {@code stop-timeout})
 */
public record DeployRequest(String slot, Optional<DeployMode> mode, Optional<Duration> timeout) {

    public DeployRequest {
        if (slot == null || slot.isBlank()) {
            throw new IllegalArgumentException("slot is missing");
        }
        if (timeout.isPresent() && (timeout.get().isNegative() || timeout.get().isZero())) {
            throw new IllegalArgumentException("timeout must be greater than zero");
        }
        if (timeout.isPresent() && timeout.get().compareTo(Duration.ofNanos(Long.MAX_VALUE)) > 0) {
            // The deploy's deadline counts in nanoseconds; refused here, before a deploy begins
            // (and crash masking stands down for it), not halfway through.
            throw new IllegalArgumentException("timeout is too long");
        }
    }

    public static DeployRequest of(String slot) {
        return new DeployRequest(slot, Optional.empty(), Optional.empty());
    }

    public static DeployRequest of(String slot, DeployMode mode) {
        return new DeployRequest(slot, Optional.of(mode), Optional.empty());
    }
}
