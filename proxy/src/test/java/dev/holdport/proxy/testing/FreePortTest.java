package dev.holdport.proxy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FreePortTest {

    @Test
    void picksBindablePortsBelowTheEphemeralRangeAndNeverTheSameTwice() throws Exception {
        int ephemeralStart = Integer.parseInt(
                Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+")[0]);
        int first = FreePort.pick();
        int second = FreePort.pick();
        assertThat(first).isNotEqualTo(second);
        for (int port : new int[] {first, second}) {
            assertThat(port).isLessThan(ephemeralStart);
            try (ServerSocket server = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertThat(server.getLocalPort()).isEqualTo(port);
            }
        }
    }
}
