package dev.holdport.config;

import java.time.Duration;

/**
 * {@code holdport.routes.<route>.backend}.
 *
 * @param connectTimeout   one connect attempt gives up after this long
 * @param retryRefusedFor  a refused connect is retried with backoff for this long in total,
 *                         so a backend that is still starting costs no client its connection
 */
public record BackendSettings(Duration connectTimeout, Duration retryRefusedFor) {}
