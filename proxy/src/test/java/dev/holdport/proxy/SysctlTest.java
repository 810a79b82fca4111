package dev.holdport.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SysctlTest {

    @Test
    void readsSomaxconnWhole() throws Exception {
        try (BufferedReader in = Files.newBufferedReader(Path.of("/proc/sys/net/core/somaxconn"))) {
            assertThat(Sysctl.somaxconn()).hasValue(Integer.parseInt(in.readLine().strip()));
        }
    }

    @Test
    void readsTheEphemeralPortRangeWhole() throws Exception {
        try (BufferedReader in = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
            String[] fields = in.readLine().strip().split("\\s+");
            Sysctl.PortRange range = Sysctl.ephemeralPorts().orElseThrow();
            assertThat(range).isEqualTo(new Sysctl.PortRange(Integer.parseInt(fields[0]), Integer.parseInt(fields[1])));
            assertThat(range.contains(range.first())).isTrue();
            assertThat(range.contains(range.last() + 1)).isFalse();
        }
    }
}
