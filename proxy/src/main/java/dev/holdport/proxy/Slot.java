package dev.holdport.proxy;

import dev.holdport.config.SlotConfig;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.LongAdder;

/**
 * A slot at run time: its config, its address resolved once at start (no lookup per
 * connection), and how many relays use it now.
 */
final class Slot {

    final SlotConfig config;
    final InetSocketAddress address;
    /** Relays to this slot that are open or connecting; drain waits for inactive slots' to reach 0. */
    final LongAdder live = new LongAdder();

    Slot(SlotConfig config) {
        this.config = config;
        this.address = config.address().toSocketAddress();
    }

    /**
     * Where to connect: the address resolved at start. A name that did not resolve then is looked
     * up again, so a slot whose DNS name was briefly unknown recovers.
     */
    InetSocketAddress connectAddress() {
        return address.isUnresolved() ? new InetSocketAddress(address.getHostString(), address.getPort()) : address;
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
