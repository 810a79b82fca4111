package dev.holdport.config;

import java.time.Duration;
import java.util.List;

/**
 * One backend of a route ({@code holdport.routes.<route>.slots.<slot>}). A slot with a
 * {@code start} command is <em>supervised</em>: holdport can start, check and stop its process.
 * A slot without one is only an address; pause, resume and switch work the same for both.
 *
 * @param name        the slot's name, {@code [a-z0-9-]+} ({@code a} and {@code b} by convention)
 * @param address     where the slot's process listens
 * @param path        the slot's install path; the working directory of its commands. May be
 *                    empty (metadata, reported in status) when the slot has no {@code start}.
 * @param start       command and arguments that start the slot's process; empty = not supervised
 * @param stop        command and arguments that stop it; empty = by signal (SIGTERM to its
 *                    process group, SIGKILL after {@code stopTimeout})
 * @param stopTimeout how long a stop may take before the process group is killed
 * @param ready       how to tell that a started process is ready for traffic
 * @param stopOnExit  stop the process when holdport exits (by default it keeps running and a
 *                    restarted holdport adopts it)
 */
public record SlotConfig(String name, HostPort address, String path, List<String> start, List<String> stop,
                         Duration stopTimeout, ReadySettings ready, boolean stopOnExit) {

    public SlotConfig {
        start = List.copyOf(start);
        stop = List.copyOf(stop);
    }

    /**
     * An unsupervised slot (no start command) with every other setting at its
     * {@code slot-defaults} value in {@code reference.conf}: the slot a config file gets from
     * {@code address} and {@code path} alone.
     */
    public SlotConfig(String name, HostPort address, String path) {
        this(name, address, path, List.of(), ConfigLoader.referenceSlotDefaults().stop(),
                ConfigLoader.referenceSlotDefaults().stopTimeout(), ConfigLoader.referenceSlotDefaults().ready(),
                ConfigLoader.referenceSlotDefaults().stopOnExit());
    }

    /** True when holdport starts and stops this slot's process itself. */
    public boolean supervised() {
        return !start.isEmpty();
    }

    /** True when stopping means signals, not a stop command. */
    public boolean stopsBySignal() {
        return stop.isEmpty();
    }
}
