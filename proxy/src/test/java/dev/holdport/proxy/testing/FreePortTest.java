package dev.holdport.proxy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdport.proxy.Sysctl;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class FreePortTest {

    @Test
    void picksBindablePortsBelowTheEphemeralRangeAndNeverTheSameTwice() throws Exception {
        int ephemeralStart = Sysctl.ephemeralPorts().orElseThrow().first();
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
