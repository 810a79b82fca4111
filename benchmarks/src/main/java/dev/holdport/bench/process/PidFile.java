package dev.holdport.bench.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The list of servers this run has started and not yet stopped, one "pid name" per line.
 * run.sh reads it in its exit trap and stops by PID whatever is still listed, so nothing
 * outlives the run even if the JVM itself is killed.
 */
public final class PidFile {

    private final Path file;
    private final Map<Long, String> live = new LinkedHashMap<>();

    public PidFile(Path file) {
        this.file = file;
    }

    public synchronized void add(long pid, String name) {
        live.put(pid, name);
        write();
    }

    public synchronized void remove(long pid) {
        live.remove(pid);
        write();
    }

    private void write() {
        if (file == null) {
            return;
        }
        StringBuilder text = new StringBuilder();
        live.forEach((pid, name) -> text.append(pid).append(' ').append(name).append('\n'));
        try {
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write pid file " + file, e);
        }
    }
}
