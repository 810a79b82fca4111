package dev.holdport.bench.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * Reads a process's CPU time and memory from /proc. CPU and RSS cover the process and all its
 * descendants, so nginx's master plus workers count as one proxy.
 */
public final class ProcessStats {

    /** Linux reports utime/stime in clock ticks; USER_HZ is 100 on every mainstream kernel. */
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcessStats() {}

    /** User + system CPU seconds of {@code pid} and its descendants so far. */
    public static double cpuSeconds(long pid) {
        long ticks = 0;
        for (long p : withDescendants(pid)) {
            String stat = read(Path.of("/proc", Long.toString(p), "stat"));
            if (stat == null) {
                continue;
            }
            // Fields after the command name, which is in parentheses and may contain spaces.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
        }
        return ticks / TICKS_PER_SECOND;
    }

    /** Resident set size in bytes of {@code pid} and its descendants. */
    public static long rssBytes(long pid) {
        long kib = 0;
        for (long p : withDescendants(pid)) {
            kib += statusField(p, "VmRSS:").orElse(0);
        }
        return kib * 1024;
    }

    /** The soft open-file limit of a process ("Max open files"), or empty if unreadable. */
    public static OptionalLong openFileLimit(long pid) {
        String limits = read(Path.of("/proc", Long.toString(pid), "limits"));
        if (limits == null) {
            return OptionalLong.empty();
        }
        for (String line : limits.split("\n")) {
            if (line.startsWith("Max open files")) {
                String[] parts = line.trim().split("\\s+");
                return OptionalLong.of(Long.parseLong(parts[3]));
            }
        }
        return OptionalLong.empty();
    }

    private static OptionalLong statusField(long pid, String field) {
        String status = read(Path.of("/proc", Long.toString(pid), "status"));
        if (status == null) {
            return OptionalLong.empty();
        }
        for (String line : status.split("\n")) {
            if (line.startsWith(field)) {
                return OptionalLong.of(Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]));
            }
        }
        return OptionalLong.empty();
    }

    private static List<Long> withDescendants(long pid) {
        List<Long> pids = new ArrayList<>();
        pids.add(pid);
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
        return pids;
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            return null;
        }
    }

    /** True where /proc exists (Linux); elsewhere CPU and memory figures are left out. */
    public static boolean available() {
        try (Stream<Path> ignored = Files.list(Path.of("/proc/self"))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
