package dev.holdport.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdport.proxy.testing.NetworkNamespace;
import dev.holdport.proxy.testing.Transports;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A backend connect that lands on its own socket is a refused connect, not a backend. The kernel
 * cannot be made to pick a given source port from outside, so {@link SelfConnectProbe} runs in a
 * network namespace of its own whose ephemeral range is the slot's port alone.
 */
class SelfConnectTest {

    private static final int SLOT_PORT = 40_001;
    private static final int FIXED_PORTS_FROM = 20_000;

    @Test
    void aConnectToItselfIsRetriedAsRefusedAndNeverRelayed() throws Exception {
        Assumptions.assumeTrue(NetworkNamespace.available(),
                "needs unshare -rn (a user and network namespace) to pin the ephemeral port range");
        var result = NetworkNamespace.run(
                "echo \"" + SLOT_PORT + " " + SLOT_PORT + "\" > /proc/sys/net/ipv4/ip_local_port_range",
                SelfConnectProbe.class, 60, String.valueOf(SLOT_PORT), String.valueOf(FIXED_PORTS_FROM));
        assertThat(result.output()).contains("premise: a plain connect to " + SLOT_PORT + " connects to itself");
        for (var transport : Transports.offered()) {
            assertThat(result.output()).contains(transport + ": client read \"\", relayed 0, closed as backend_unavailable 1: ok");
        }
        assertThat(result.exitCode()).as(result.output()).isZero();
    }
}
