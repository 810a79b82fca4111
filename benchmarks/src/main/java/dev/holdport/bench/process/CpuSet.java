package dev.holdport.bench.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A set of CPU numbers in the kernel's list form ({@code 0-3,6}), as {@code taskset -c} takes it
 * and {@code /proc/<pid>/status} reports a process's allowed CPUs ({@code Cpus_allowed_list}).
 */
public record CpuSet(SortedSet<Integer> cpus) {

    public CpuSet {
        cpus = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(cpus));
    }

    /**
     * Parses {@code 1}, {@code 0,2}, {@code 2-3} and mixes of them.
     *
     * @throws IllegalArgumentException naming what is wrong with {@code list}
     */
    public static CpuSet parse(String list) {
        if (list == null || list.isBlank()) {
            throw new IllegalArgumentException("an empty CPU list; give CPU numbers such as 1 or 0,2-3");
        }
        SortedSet<Integer> cpus = new TreeSet<>();
        for (String part : list.trim().split(",")) {
            String[] ends = part.trim().split("-", -1);
            try {
                if (ends.length == 1) {
                    cpus.add(cpu(ends[0]));
                } else if (ends.length == 2) {
                    int first = cpu(ends[0]);
                    int last = cpu(ends[1]);
                    if (last < first) {
                        throw new IllegalArgumentException("'" + part.trim() + "' in CPU list '" + list + "' runs backwards");
                    }
                    for (int c = first; c <= last; c++) {
                        cpus.add(c);
                    }
                } else {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + part.trim() + "' in CPU list '" + list
                        + "' is not a CPU number (0 to " + MAX_CPU + ") or a range such as 2-3");
            }
        }
        return new CpuSet(cpus);
    }

    /** Linux's own ceiling (CONFIG_NR_CPUS is at most 8192): keeps {@code 0-2000000000} from filling memory. */
    static final int MAX_CPU = 8191;

    private static int cpu(String s) {
        int n = Integer.parseInt(s.trim());
        if (n < 0 || n > MAX_CPU) {
            throw new NumberFormatException();
        }
        return n;
    }

    /** The CPUs the process (or {@code self/task/<tid>}: thread) {@code pid} may run on ({@code "self"} for this one). */
    public static CpuSet allowedFor(String pid) {
        Path status = Path.of("/proc", pid, "status");
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    return parse(line.substring(line.indexOf(':') + 1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + status, e);
        }
        throw new IllegalStateException(status + " has no Cpus_allowed_list");
    }

    public int size() {
        return cpus.size();
    }

    public boolean isEmpty() {
        return cpus.isEmpty();
    }

    public boolean containsAll(CpuSet other) {
        return cpus.containsAll(other.cpus);
    }

    public CpuSet minus(CpuSet other) {
        SortedSet<Integer> rest = new TreeSet<>(cpus);
        rest.removeAll(other.cpus);
        return new CpuSet(rest);
    }

    public boolean overlaps(CpuSet other) {
        return cpus.stream().anyMatch(other.cpus::contains);
    }

    /** The list form, ranges joined: {@code 0-3,6}. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        Integer start = null;
        Integer previous = null;
        for (int c : cpus) {
            if (start == null) {
                start = c;
            } else if (c != previous + 1) {
                parts.add(range(start, previous));
                start = c;
            }
            previous = c;
        }
        if (start != null) {
            parts.add(range(start, previous));
        }
        return String.join(",", parts);
    }

    private static String range(int first, int last) {
        return first == last ? Integer.toString(first) : first + "-" + last;
    }
}
