package dev.holdport.admin.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A slot's install folder for supervised-slot tests: its {@code run.sh} is the "version"
 * installed there, which holdport starts ({@code start = ["./run.sh"]}). A working version execs
 * a {@link HelloBackend} child JVM on {@code $HOLDPORT_HOST:$HOLDPORT_PORT}; a broken one exits at
 * once or never listens.
 */
public final class SlotInstall {

    private SlotInstall() {}

    /** Writes {@code <dir>/run.sh} (executable): {@code body} after the shebang. */
    public static void install(Path dir, String body) {
        try {
            Files.createDirectories(dir);
            Path script = dir.resolve("run.sh");
            Files.writeString(script, "#!/bin/sh\n" + body + "\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A working version that answers {@code hello from <version>}. */
    public static String serving(String version) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return "exec '" + java + "' -Xmx48m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -cp '"
                + System.getProperty("java.class.path") + "' " + HelloBackend.class.getName()
                + " \"$HOLDPORT_HOST:$HOLDPORT_PORT\" " + version + " \"$PWD/backend.pid\"";
    }

    /** A version that fails at start, saying why on stderr. */
    public static String exitingAtStart() {
        return "echo 'config error: no such database' >&2\nexit 3";
    }

    /** A version that runs but never listens. */
    public static String neverReady() {
        return "exec sleep 600";
    }
}
