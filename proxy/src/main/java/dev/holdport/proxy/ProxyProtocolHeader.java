package dev.holdport.proxy;

import dev.holdport.config.ProxyProtocol;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The PROXY protocol header a backend connection starts with when the route's
 * {@code backend.proxy-protocol} asks for one: the client's address and port, and the address and
 * port it connected to (holdport's listener), so the backend sees its real client. Encoded by
 * Netty's {@code netty-codec-haproxy}.
 */
final class ProxyProtocolHeader {

    private ProxyProtocolHeader() {}

    /**
     * Queues the header on {@code backend}, ahead of anything the relay writes. The encoder is in
     * the pipeline only for this one write: the relay's own writes do not pass through it.
     */
    static void write(ProxyProtocol version, Channel client, Channel backend) {
        HAProxyMessage header = of(version, client.remoteAddress(), client.localAddress());
        if (header == null) {
            // Not a TCP/IP peer (cannot happen on a TCP listener): say so rather than make one up.
            // Netty's version 1 encoder needs addresses, so that line is written as it is.
            backend.write(Unpooled.copiedBuffer("PROXY UNKNOWN\r\n", StandardCharsets.US_ASCII), backend.voidPromise());
            return;
        }
        backend.pipeline().addFirst(HAProxyMessageEncoder.INSTANCE);
        try {
            backend.write(header, backend.voidPromise());
        } finally {
            backend.pipeline().remove(HAProxyMessageEncoder.INSTANCE);
        }
    }

    /** The header; null for version 1 when either address is not an IP one (then {@code UNKNOWN}). */
    static HAProxyMessage of(ProxyProtocol version, SocketAddress source, SocketAddress destination) {
        HAProxyProtocolVersion v = version == ProxyProtocol.V1 ? HAProxyProtocolVersion.V1 : HAProxyProtocolVersion.V2;
        if (!(source instanceof InetSocketAddress from) || !(destination instanceof InetSocketAddress to)
                || from.getAddress() == null || to.getAddress() == null) {
            return v == HAProxyProtocolVersion.V1 ? null
                    : new HAProxyMessage(v, HAProxyCommand.PROXY, HAProxyProxiedProtocol.UNKNOWN, null, null, 0, 0);
        }
        boolean ipv4 = from.getAddress() instanceof Inet4Address && to.getAddress() instanceof Inet4Address;
        return new HAProxyMessage(v, HAProxyCommand.PROXY,
                ipv4 ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6,
                text(from.getAddress(), ipv4), text(to.getAddress(), ipv4), from.getPort(), to.getPort());
    }

    /** The address as the header writes it; in a TCP6 header an IPv4 address is IPv4-mapped. */
    private static String text(InetAddress address, boolean ipv4) {
        String text = address.getHostAddress();
        int scope = text.indexOf('%'); // an IPv6 scope id is not part of the header's address
        if (scope >= 0) {
            text = text.substring(0, scope);
        }
        return ipv4 || !(address instanceof Inet4Address) ? text : "::ffff:" + text;
    }
}
