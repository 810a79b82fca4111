package dev.holdport.proxy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * A loopback port that was free a moment ago, for a backend or child process that must be told
 * its port before it binds it. Another process could take the port in between, which on a test
 * machine does not happen in practice.
 */
public final class FreePort {

    private FreePort() {}

    public static int pick() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
