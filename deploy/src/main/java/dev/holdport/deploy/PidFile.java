package dev.holdport.deploy;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;

/**
 * The pid file of one supervised slot: which process holdport started, so that a restarted
 * holdport adopts it instead of starting a second one. The process's start time is kept too:
 * a pid alone may have been reused by an unrelated process since.
 */
final class PidFile {

    /**
     * @param pid       the process id
     * @param startedAt when the process started, as the OS reports it (null when unknown)
     * @param ownGroup  whether it leads its own process group (signals go to the whole group)
     */
    record Entry(long pid, Instant startedAt, boolean ownGroup) {}

    private final Path path;

    PidFile(Path path) {
        this.path = path;
    }

    Path path() {
        return path;
    }

    /** The entry, or empty when there is no file or it cannot be read (a stale or damaged file is ignored). */
    Optional<Entry> read() {
        if (!Files.exists(path)) {
            return Optional.empty();
        }
        try {
            Properties p = new Properties();
            p.load(new StringReader(Files.readString(path, StandardCharsets.UTF_8)));
            long pid = Long.parseLong(p.getProperty("pid", "").trim());
            String started = p.getProperty("started", "").trim();
            return Optional.of(new Entry(pid, started.isEmpty() ? null : Instant.parse(started),
                    Boolean.parseBoolean(p.getProperty("group", "false").trim())));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Written atomically (temp file, then rename), so a crash never leaves half a pid file. */
    void write(Entry entry) throws IOException {
        Files.createDirectories(path.getParent());
        String text = "pid=" + entry.pid() + "\n"
                + (entry.startedAt() == null ? "" : "started=" + entry.startedAt() + "\n")
                + "group=" + entry.ownGroup() + "\n";
        Path temp = path.resolveSibling(path.getFileName() + ".tmp");
        Files.writeString(temp, text, StandardCharsets.UTF_8);
        Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    void delete() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // A stale pid file is harmless: adoption checks the process's start time.
        }
    }
}
