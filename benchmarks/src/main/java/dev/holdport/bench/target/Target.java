package dev.holdport.bench.target;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.OptionalLong;

/** Something the clients connect to: the backends directly, or a proxy in front of them. */
public interface Target extends AutoCloseable {

    /** "direct", "holdport", "haproxy" or "nginx". */
    String name();

    /** The loopback port on which this target carries {@code route}. */
    int port(Route route);

    default InetSocketAddress address(Route route) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port(route));
    }

    /** The proxy's process (CPU and memory are read from it); empty for a direct connection. */
    OptionalLong pid();

    /** Stops whatever this target started. */
    @Override
    void close();
}
