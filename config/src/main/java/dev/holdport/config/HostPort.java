package dev.holdport.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * A TCP endpoint as written in the config: {@code host:port}, with IPv6 hosts in brackets
 * ({@code [::1]:9001}). Parsing never resolves a name; {@link #toSocketAddress()} does, once,
 * when a route starts.
 */
public record HostPort(String host, int port) {

    public HostPort {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host is empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range 0-65535");
        }
    }

    /**
     * Parses {@code host:port}.
     *
     * @throws IllegalArgumentException with a message that says what is wrong, fit to follow
     *     "{@code <path>: "<value>" }"
     */
    public static HostPort parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("is missing");
        }
        String s = text.trim();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException('"' + text + "\" is not host:port");
        }
        String host = s.substring(0, colon);
        String portText = s.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException('"' + text + "\" is not host:port (write IPv6 hosts as [addr]:port)");
        }
        if (host.isBlank() || host.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException('"' + text + "\" is not host:port");
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException('"' + text + "\" is not host:port");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException('"' + text + "\": port " + port + " is out of range 0-65535");
        }
        return new HostPort(host, port);
    }

    /** Resolves the host (a name lookup happens here, not per connection). */
    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(host, port);
    }

    /**
     * Whether the host is loopback only: every address it resolves to is a loopback address (a
     * name that does not resolve is not).
     */
    public boolean isLoopback() {
        try {
            InetAddress[] addresses = InetAddress.getAllByName(host);
            return addresses.length > 0 && Arrays.stream(addresses).allMatch(InetAddress::isLoopbackAddress);
        } catch (UnknownHostException e) {
            return false;
        }
    }

    public HostPort withPort(int newPort) {
        return new HostPort(host, newPort);
    }

    @Override
    public String toString() {
        return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }
}
