package dev.holdport.proxy;

import java.time.Duration;

/**
 * What a drain found when it ended.
 *
 * @param route     the route drained
 * @param drained   true when no relay used a slot other than the active one
 * @param remaining relays still open to inactive slots when it ended (0 when drained)
 * @param waited    how long it waited
 */
public record DrainResult(String route, boolean drained, int remaining, Duration waited) {}
