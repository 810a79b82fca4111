package dev.holdport.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A backend connect that lands on its own socket is a refused connect, not a backend. The kernel
 * cannot be made to pick a given source port from outside, so {@link SelfConnectProbe} runs in a
 * network namespace of its own ({@code unshare}) whose ephemeral range is the slot's port alone.
 */
class SelfConnectTest {

    private static final int SLOT_PORT = 40_001; // the namespace is empty: any ports do
    private static final int FIXED_PORTS_FROM = 20_000;

    @Test
    void aConnectToItselfIsRetriedAsRefusedAndNeverRelayed() throws Exception {
        Assumptions.assumeTrue(unshareWorks(),
                "needs unshare -rn (a user and network namespace) to pin the ephemeral port range");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = "ip link set lo up && echo \"$2 $2\" > /proc/sys/net/ipv4/ip_local_port_range"
                + " && exec \"$0\" -Xmx128m -cp \"$1\" " + SelfConnectProbe.class.getName() + " \"$2\" \"$3\"";
        Process probe = run(List.of("unshare", "-rn", "sh", "-c", script, java, System.getProperty("java.class.path"),
                String.valueOf(SLOT_PORT), String.valueOf(FIXED_PORTS_FROM)), 60);
        String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(output).contains("premise: a plain connect to " + SLOT_PORT + " connects to itself");
        for (var transport : dev.holdport.proxy.testing.Transports.offered()) {
            assertThat(output).contains(transport + ": client read \"\", relayed 0, closed as backend_unavailable 1: ok");
        }
        assertThat(probe.exitValue()).as(output).isZero();
    }

    private static boolean unshareWorks() throws Exception {
        try {
            return run(List.of("unshare", "-rn", "true"), 10).exitValue() == 0;
        } catch (java.io.IOException e) {
            return false; // no unshare on this machine
        }
    }

    private static Process run(List<String> command, int timeoutSeconds) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command.get(0) + " did not finish in " + timeoutSeconds + " s");
        }
        return process;
    }
}
