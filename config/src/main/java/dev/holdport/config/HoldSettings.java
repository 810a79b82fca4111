package dev.holdport.config;

import java.time.Duration;

/**
 * {@code holdport.routes.<route>.hold}: limits on connections held while a route is paused.
 *
 * @param maxConnections past this many held, stop accepting (clients wait in the kernel backlog)
 * @param timeout        a connection held longer than this is closed or forwarded; zero = no limit
 * @param onTimeout      what happens then
 */
public record HoldSettings(int maxConnections, Duration timeout, OnHoldTimeout onTimeout) {}
