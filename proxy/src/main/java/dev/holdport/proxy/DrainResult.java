package dev.holdport.proxy;

import java.time.Duration;

/**
 * What a drain found when it ended.
 *
 * @param route     the route drained
 * @param drained   true when those relays had all ended
 * @param remaining relays still open that the drain waited for (0 when drained)
 * @param waited    how long it waited
 */
public record DrainResult(String route, boolean drained, int remaining, Duration waited) {}
