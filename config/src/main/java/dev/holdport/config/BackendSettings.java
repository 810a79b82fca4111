package dev.holdport.config;

import java.time.Duration;

/**
 * {@code holdport.routes.<route>.backend}.
 *
 * @param connectTimeout   one connect attempt gives up after this long
 * @param retryRefusedFor  a refused connect is retried with backoff for this long in total,
 *                         so a backend that is still starting costs no client its connection
 * @param proxyProtocol    the PROXY protocol header each backend connection starts with, if any
 */
public record BackendSettings(Duration connectTimeout, Duration retryRefusedFor, ProxyProtocol proxyProtocol) {

    /** Without a PROXY protocol header. */
    public BackendSettings(Duration connectTimeout, Duration retryRefusedFor) {
        this(connectTimeout, retryRefusedFor, ProxyProtocol.OFF);
    }
}
