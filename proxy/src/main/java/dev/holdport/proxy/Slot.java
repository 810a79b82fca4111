package dev.holdport.proxy;

import dev.holdport.config.SlotConfig;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * A slot at run time: its config, its address resolved once at start (no lookup per
 * connection), and how many relays use it now.
 */
final class Slot {

    final SlotConfig config;
    /** Resolved at start; replaced once a name that did not resolve then does. */
    private volatile InetSocketAddress address;
    private final AtomicBoolean resolving = new AtomicBoolean();
    /**
     * Connections sent to this slot that have not ended: relays, connects in progress, and
     * connections the gate has sent here whose loop has not started connecting yet. Drain waits
     * for inactive slots' to reach 0. The gate counts a connection here under its lock, at the
     * moment it picks the slot: counted any later, a drain could find 0 and let the slot's
     * backend stop while released connections were still on their way to it.
     */
    final LongAdder live = new LongAdder();

    Slot(SlotConfig config) {
        this.config = config;
        this.address = config.address().toSocketAddress();
    }

    /**
     * Where to connect. A name that did not resolve at start is looked up again in the
     * background (one lookup at a time, never on an event loop); until it resolves, connects to
     * this slot fail at once with "name not resolved".
     */
    InetSocketAddress connectAddress() {
        InetSocketAddress current = address;
        if (current.isUnresolved() && resolving.compareAndSet(false, true)) {
            GlobalEventExecutor.INSTANCE.execute(() -> {
                try {
                    InetSocketAddress again = config.address().toSocketAddress();
                    if (!again.isUnresolved()) {
                        address = again;
                    }
                } finally {
                    resolving.set(false);
                }
            });
        }
        return current;
    }

    String name() {
        return config.name();
    }

    SlotStatus status(boolean active) {
        return new SlotStatus(name(), config.address().toString(), config.path(), active, (int) live.sum());
    }

    @Override
    public String toString() {
        return name();
    }
}
