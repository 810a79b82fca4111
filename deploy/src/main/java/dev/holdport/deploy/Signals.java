package dev.holdport.deploy;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process groups and signals, through the system's {@code setsid} and {@code kill} programs
 * (Java can signal one process, not a group). A supervised process runs in its own process group
 * so that stopping it also stops whatever it started (a wrapper script's child, worker processes).
 * Where {@code setsid} or {@code kill} is missing, holdport falls back to the process and its
 * descendants as Java sees them.
 */
final class Signals {

    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private static final Optional<String> SETSID = find("setsid");
    private static final Optional<String> KILL = find("kill");
    /** Per process group, the member {@link #groupAlive} found last (removed once none is left). */
    private static final java.util.Map<Long, Long> LAST_MEMBER = new java.util.concurrent.ConcurrentHashMap<>();

    private Signals() {}

    /** True when processes can get their own group and the group can be signalled. */
    static boolean groupsSupported() {
        return SETSID.isPresent() && KILL.isPresent();
    }

    /** {@code command}, prefixed so that it runs as the leader of a new session and process group. */
    static List<String> inOwnGroup(List<String> command) {
        if (!groupsSupported()) {
            return command;
        }
        // setsid forks only when its caller already leads a group; a child of the JVM does not,
        // so the pid Java reports is the pid (and group id) of the command itself.
        return concat(SETSID.get(), command);
    }

    /**
     * Kills a helper command that ran too long (a readiness check, a stop command) with whatever
     * it started: its group when it was started {@link #inOwnGroup}, else the tree Java sees. A
     * check script whose curl hangs would otherwise leave one curl behind per attempt.
     */
    static void killCommand(Process command) {
        if (groupsSupported()) {
            toGroup(command.pid(), "KILL");
        } else {
            toTree(command.toHandle(), true);
        }
        command.destroyForcibly();
    }

    /** Sends {@code signal} (TERM, KILL, ...) to every process of group {@code pgid}; false if none was there. */
    static boolean toGroup(long pgid, String signal) {
        return run(KILL.orElseThrow(), "-s", signal, "--", "-" + pgid) == 0;
    }

    /**
     * True while a process of group {@code pgid} runs. A zombie does not count: it holds no port or
     * file any more, and one may never be reaped (an orphan whose new parent, a container's PID 1
     * that is not an init, never waits), which would make a stop wait for it forever. Read from
     * {@code /proc}; {@code kill -0} where there is none (it counts zombies).
     */
    static boolean groupAlive(long pgid) {
        Path proc = Path.of("/proc");
        if (Files.isDirectory(proc.resolve("self"))) {
            // A stop polls this every 50 ms: look first at the member found last time (one small
            // read), and scan all of /proc only once it is gone.
            Long known = LAST_MEMBER.get(pgid);
            if (known != null && runsInGroup(proc.resolve(known.toString()).resolve("stat"), pgid)) {
                return true;
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc, "[0-9]*")) {
                for (Path entry : entries) {
                    if (runsInGroup(entry.resolve("stat"), pgid)) {
                        LAST_MEMBER.put(pgid, Long.parseLong(entry.getFileName().toString()));
                        return true;
                    }
                }
                LAST_MEMBER.remove(pgid);
                return false;
            } catch (IOException | RuntimeException e) {
                log.debug("cannot read /proc ({}): asking kill -0", e.toString());
            }
        }
        return KILL.isPresent() && run(KILL.get(), "-0", "--", "-" + pgid) == 0;
    }

    /** Polls until no process of group {@code pgid} runs, at most {@code timeout}; true when none does. */
    static boolean awaitGroupGone(long pgid, java.time.Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (groupAlive(pgid)) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        return true;
    }

    /**
     * The exit status of a command started {@link #inOwnGroup} that never ran: setsid could not
     * execute it (126: not executable, 127: not found).
     */
    static boolean couldNotRun(int status) {
        return groupsSupported() && (status == 126 || status == 127);
    }

    /** Whether process {@code pid} exists and is not a zombie (false where there is no {@code /proc}). */
    static boolean runs(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        try {
            String text = Files.readString(stat);
            String state = text.substring(text.lastIndexOf(')') + 2).split(" ", 2)[0];
            return !state.equals("Z") && !state.equals("X");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** From {@code /proc/<pid>/stat}: a process of group {@code pgid} that is not a zombie. */
    private static boolean runsInGroup(Path stat, long pgid) {
        String text;
        try {
            text = Files.readString(stat);
        } catch (IOException e) {
            return false; // gone meanwhile
        }
        // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so from the last ')'.
        String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ", 4);
        String state = fields[0];
        return Long.parseLong(fields[2]) == pgid && !state.equals("Z") && !state.equals("X");
    }

    /** Without process groups: SIGTERM (or SIGKILL when {@code force}) to the process and its descendants. */
    static void toTree(ProcessHandle process, boolean force) {
        process.descendants().forEach(child -> {
            if (force) {
                child.destroyForcibly();
            } else {
                child.destroy();
            }
        });
        if (force) {
            process.destroyForcibly();
        } else {
            process.destroy();
        }
    }

    private static int run(String... command) {
        try {
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            log.warn("cannot run {}: {}", command[0], e.getMessage());
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static Optional<String> find(String program) {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate.toString());
            }
        }
        return Optional.empty();
    }

    private static List<String> concat(String first, List<String> rest) {
        java.util.ArrayList<String> all = new java.util.ArrayList<>(rest.size() + 1);
        all.add(first);
        all.addAll(rest);
        return all;
    }
}
