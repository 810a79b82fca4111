package dev.holdport.proxy;

/**
 * One slot of a route, as seen at one instant.
 *
 * @param name       the slot's name
 * @param address    {@code host:port} it relays to
 * @param path       its install path ("" when not configured)
 * @param active     whether new connections go to it
 * @param liveRelays connections sent to it that have not ended: open relays, backend connects in
 *                   progress, and connections a resume released that have not started connecting
 */
public record SlotStatus(String name, String address, String path, boolean active, int liveRelays) {}
