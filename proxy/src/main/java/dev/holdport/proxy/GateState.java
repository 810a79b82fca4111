package dev.holdport.proxy;

/** Whether a route relays new connections ({@code OPEN}) or holds them ({@code PAUSED}). */
public enum GateState {
    OPEN,
    PAUSED
}
