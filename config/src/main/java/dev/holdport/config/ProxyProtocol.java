package dev.holdport.config;

/**
 * {@code backend.proxy-protocol}: whether each backend connection starts with a PROXY protocol
 * header (HAProxy's, understood by nginx, HAProxy, Envoy and many servers) naming the client's
 * address and the address it connected to, so the backend sees who the client is rather than
 * holdport's own loopback address.
 */
public enum ProxyProtocol {
    /** No header: the backend sees holdport as the client. */
    OFF,
    /** Version 1, a text line: {@code PROXY TCP4 203.0.113.7 192.0.2.1 51234 443\r\n}. */
    V1,
    /** Version 2, binary. */
    V2;

    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
