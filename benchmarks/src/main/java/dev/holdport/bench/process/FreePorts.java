package dev.holdport.bench.process;

import dev.holdport.proxy.Sysctl;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/**
 * Picks free loopback ports for the servers a run starts, each checked with a bind and closed
 * again so the real server can take it. Ports handed out once are never handed out again in the
 * same run.
 *
 * <p>The ports come from below the kernel's ephemeral range ({@code net.ipv4.ip_local_port_range}):
 * a run opens tens of thousands of client connections, and any of them could take a port from
 * that range as its source port before the server meant for it binds.
 */
public final class FreePorts {

    private static final int LOWEST = 10_000;

    private final Set<Integer> given = new HashSet<>();
    private final Random random = new Random();

    public synchronized int next() {
        // Linux's default start when the setting cannot be read.
        int below = Sysctl.ephemeralPorts().map(Sysctl.PortRange::first).orElse(32_768);
        if (below - LOWEST < 1_000) {
            throw new IllegalStateException("the ephemeral port range starts at " + below
                    + ", which leaves no room below it for the benchmark's servers; "
                    + "raise the start of net.ipv4.ip_local_port_range");
        }
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = random.nextInt(LOWEST, below);
            if (!given.contains(port) && free(port)) {
                given.add(port);
                return port;
            }
        }
        throw new IllegalStateException("no free loopback port between " + LOWEST + " and " + below);
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
}
