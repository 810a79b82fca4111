package dev.holdport.bench.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdport.proxy.Sysctl;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void handsOutDistinctBindablePortsThatNoOutgoingConnectionCanTake() throws Exception {
        int ephemeralStart = Sysctl.ephemeralPorts().orElseThrow().first();
        FreePorts ports = new FreePorts();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            int port = ports.next();
            assertThat(port).as("below the ephemeral range").isLessThan(ephemeralStart);
            assertThat(seen.add(port)).as("handed out once").isTrue();
            try (ServerSocket server = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertThat(server.getLocalPort()).isEqualTo(port);
            }
        }
    }
}
