package dev.holdport.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.holdport.config.ProxyProtocol;
import dev.holdport.config.TransportChoice;
import dev.holdport.proxy.testing.Backend;
import dev.holdport.proxy.testing.Clients;
import dev.holdport.proxy.testing.TestConfigs;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code backend.proxy-protocol}: the backend learns the client's address from a PROXY header. */
class ProxyProtocolTest {

    @TempDir
    Path dir;

    static List<TransportChoice> transports() {
        return dev.holdport.proxy.testing.Transports.offered();
    }

    /** Takes everything up to and including the client's "x\n", then answers "ok\n". */
    private static Backend recording(CompletableFuture<byte[]> received) {
        return Backend.start(socket -> {
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                all.write(b);
                byte[] sofar = all.toByteArray();
                if (sofar.length >= 2 && sofar[sofar.length - 2] == 'x' && sofar[sofar.length - 1] == '\n') {
                    break;
                }
            }
            received.complete(all.toByteArray());
            socket.getOutputStream().write("ok\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
        });
    }

    private Proxy start(TransportChoice transport, int backendPort, ProxyProtocol version) {
        var route = TestConfigs.with(TestConfigs.route("a", Map.of("a", backendPort)), r -> r.proxyProtocol(version));
        return Proxy.start(TestConfigs.config(transport, dir.resolve("state.properties"), route));
    }

    /** Sends "x\n" on {@code client} and returns the answer line. */
    private static String exchange(Socket client) throws Exception {
        client.getOutputStream().write("x\n".getBytes(StandardCharsets.US_ASCII));
        client.getOutputStream().flush();
        byte[] answer = client.getInputStream().readNBytes(3);
        return new String(answer, StandardCharsets.US_ASCII);
    }

    @ParameterizedTest
    @MethodSource("transports")
    void versionOneNamesTheClientAndTheAddressItConnectedTo(TransportChoice transport) throws Exception {
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        try (Backend backend = recording(received); Proxy proxy = start(transport, backend.port(), ProxyProtocol.V1);
                Socket client = Clients.connect(proxy.routes().get(0).listenAddress())) {
            assertThat(exchange(client)).isEqualTo("ok\n");

            String expected = "PROXY TCP4 127.0.0.1 127.0.0.1 " + client.getLocalPort() + " " + client.getPort() + "\r\nx\n";
            assertThat(new String(received.get(30, TimeUnit.SECONDS), StandardCharsets.US_ASCII)).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void versionTwoComesBeforeWhatAHeldClientSentWhilePaused(TransportChoice transport) throws Exception {
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        try (Backend backend = recording(received); Proxy proxy = start(transport, backend.port(), ProxyProtocol.V2)) {
            Route route = proxy.routes().get(0);
            route.pause();
            try (Socket client = Clients.connect(route.listenAddress())) {
                client.getOutputStream().write("x\n".getBytes(StandardCharsets.US_ASCII));
                client.getOutputStream().flush();
                await().atMost(Duration.ofSeconds(30)).until(() -> route.status().held() == 1);
                // Whether the held client's bytes were read while it was held (the usual case) or
                // only once its relay started, the header must reach the backend before them.
                route.resume();
                assertThat(new String(client.getInputStream().readNBytes(3), StandardCharsets.US_ASCII)).isEqualTo("ok\n");

                ByteBuffer expected = ByteBuffer.allocate(30)
                        .put(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A})
                        .put((byte) 0x21) // version 2, PROXY
                        .put((byte) 0x11) // TCP over IPv4
                        .putShort((short) 12)
                        .put(new byte[] {127, 0, 0, 1}).put(new byte[] {127, 0, 0, 1})
                        .putShort((short) client.getLocalPort()).putShort((short) client.getPort())
                        .put((byte) 'x').put((byte) '\n');
                byte[] got = received.get(30, TimeUnit.SECONDS);
                assertThat(got).as(Arrays.toString(got)).isEqualTo(expected.array());
            }
        }
    }

    @org.junit.jupiter.api.Test
    void anIpv6ClientIsNamedInATcp6HeaderWithAnIpv4AddressMapped() {
        HAProxyMessage header = ProxyProtocolHeader.of(ProxyProtocol.V1,
                new InetSocketAddress("::1", 5000), new InetSocketAddress("127.0.0.1", 80));
        try {
            assertThat(header.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.TCP6);
            assertThat(header.sourceAddress()).isEqualTo("0:0:0:0:0:0:0:1");
            assertThat(header.destinationAddress()).isEqualTo("::ffff:127.0.0.1");
            assertThat(header.sourcePort()).isEqualTo(5000);
            assertThat(header.destinationPort()).isEqualTo(80);
        } finally {
            header.release();
        }
    }

    @org.junit.jupiter.api.Test
    void aPeerWithoutAnIpAddressIsUnknownRatherThanMadeUp() {
        java.net.SocketAddress notIp = java.net.UnixDomainSocketAddress.of("/run/app.sock");
        assertThat(ProxyProtocolHeader.of(ProxyProtocol.V1, notIp, notIp))
                .as("version 1 writes the literal line PROXY UNKNOWN").isNull();
        HAProxyMessage v2 = ProxyProtocolHeader.of(ProxyProtocol.V2, notIp, new InetSocketAddress("127.0.0.1", 80));
        try {
            assertThat(v2.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.UNKNOWN);
        } finally {
            v2.release();
        }
    }
}
