package dev.holdport.deploy;

import dev.holdport.proxy.testing.BackendMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Install folders for tests: each slot's path holds a {@code run.sh} that is the "version"
 * installed there. Real versions are a child JVM running {@link BackendMain} on
 * {@code $HOLDPORT_PORT} (it answers each request line with its name); broken ones exit at once
 * or never listen.
 */
final class Installs {

    private Installs() {}

    /** Writes {@code <dir>/run.sh} (executable) with {@code body} after the shebang; returns the folder. */
    static Path install(Path dir, String body) {
        try {
            Files.createDirectories(dir);
            Path script = dir.resolve("run.sh");
            Files.writeString(script, "#!/bin/sh\n" + body + "\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A working version answering {@code name}. */
    static String serving(String name) {
        return "exec " + java() + " \"$HOLDPORT_PORT\" " + name;
    }

    /** A working version answering {@code name} that holds an exclusive lock on {@code lock} while it runs, and exits 75 when another holds it. */
    static String servingWithLock(String name, Path lock) {
        return "exec flock -n -E 75 '" + lock + "' " + java() + " \"$HOLDPORT_PORT\" " + name;
    }

    /** The start of a script that waits until {@code file} exists, so a test decides when the rest runs. */
    static String waitingFor(Path file) {
        return "while [ ! -e '" + file + "' ]; do sleep 0.05; done\n";
    }

    /** A version that fails at start, saying why on stderr. */
    static String exitingAtStart() {
        return "echo 'config error: no such database' >&2\nexit 3";
    }

    /**
     * A version that fails its first start ("disk full", exit 4; {@code failedOnce} marks it) and,
     * on a later start, serves {@code name} once {@code mayServe} exists.
     */
    static String failingOnceThenServingWhen(Path failedOnce, Path mayServe, String name) {
        return "if [ ! -e '" + failedOnce + "' ]; then\n"
                + "  touch '" + failedOnce + "'; echo 'disk full' >&2; exit 4\nfi\n"
                + waitingFor(mayServe) + serving(name);
    }

    /** A version that runs but never listens. */
    static String neverReady() {
        return "exec sleep 600";
    }

    private static String java() {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return "'" + javaBin + "' -Xmx48m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -cp '"
                + System.getProperty("java.class.path") + "' " + BackendMain.class.getName();
    }
}
