package dev.holdport.proxy;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The few kernel settings holdport (and its tests and benchmarks) read, from {@code /proc/sys}.
 * Read with a reader, not {@code Files.readString}: a {@code /proc} file says its size is 0, so
 * JDK 17 starts with a one-byte read, and procfs answers the next read with end-of-file ("4" for
 * "4096").
 */
public final class Sysctl {

    /** Ports from {@code first} to {@code last}: those the kernel picks for outgoing connections. */
    public record PortRange(int first, int last) {
        public boolean contains(int port) {
            return port >= first && port <= last;
        }
    }

    private Sysctl() {}

    /** {@code net.core.somaxconn}, the kernel's cap on a listen backlog. */
    public static OptionalInt somaxconn() {
        return read("net/core/somaxconn").map(Sysctl::firstInt).orElse(OptionalInt.empty());
    }

    /** {@code net.ipv4.ip_local_port_range}, the ephemeral ports. */
    public static Optional<PortRange> ephemeralPorts() {
        return read("net/ipv4/ip_local_port_range").flatMap(line -> {
            String[] fields = line.trim().split("\\s+");
            try {
                return Optional.of(new PortRange(Integer.parseInt(fields[0]), Integer.parseInt(fields[1])));
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                return Optional.empty();
            }
        });
    }

    private static Optional<String> read(String name) {
        try (BufferedReader in = Files.newBufferedReader(Path.of("/proc/sys", name))) {
            return Optional.ofNullable(in.readLine());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static OptionalInt firstInt(String line) {
        try {
            return OptionalInt.of(Integer.parseInt(line.trim()));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }
}
