package dev.holdport.proxy.testing;

import dev.holdport.proxy.Sysctl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A loopback port that was free a moment ago, for a backend or child process that must be told
 * its port before it binds it.
 *
 * <p>The port comes from below the kernel's ephemeral range ({@code net.ipv4.ip_local_port_range}),
 * never from a bind to port 0: a port from that range can be handed to any outgoing connection in
 * the gap before the backend binds it — a proxy retrying a backend that is not up yet can even
 * connect to itself on it — and the backend's bind then fails with "Address already in use".
 * Below the range only an explicit bind can take the port. Each port is handed out once per JVM.
 */
public final class FreePort {

    private static final int LOWEST = 10_000;
    private static final Set<Integer> GIVEN = new HashSet<>();

    private FreePort() {}

    public static synchronized int pick() {
        // Linux's default start when the setting cannot be read.
        int below = Sysctl.ephemeralPorts().map(Sysctl.PortRange::first).orElse(32_768);
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = below - LOWEST > 1_000
                    ? ThreadLocalRandom.current().nextInt(LOWEST, below)
                    : bindAny(); // an unusual range leaves no room below it: let the kernel choose
            if (!GIVEN.contains(port) && free(port)) {
                GIVEN.add(port);
                return port;
            }
        }
        throw new IllegalStateException("no free loopback port below " + below + " after 1000 tries");
    }

    private static boolean free(int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(false);
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int bindAny() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
