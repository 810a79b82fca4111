package dev.holdport.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fact that crash masking owns a route's pause, kept across holdport restarts in
 * {@code <state-dir>/slots/<route>/crash-masking-pause.json}. The proxy's state file keeps only
 * that the route is paused, not who paused it: with this file, the next holdport hands a pause
 * crash masking made back to crash masking (which resumes the route once the slot is ready),
 * while a pause made by an operator or a deploy stays paused. The file exists while crash
 * masking owns the route's pause: written (atomically: temp file, fsync, rename) after the route
 * is paused, deleted before crash masking resumes it, and deleted as anyone else ends that pause,
 * before the call that ended it returns ({@code CrashGuard}, through {@code Route.onStateChange}).
 *
 * <pre>{@code {"route": "web", "slot": "a", "paused_since": "2025-01-14T12:03:01.123Z", "why": "pid 4711 was killed by signal 9"}}</pre>
 */
final class CrashMaskingPauseFile {

    private static final Logger log = LoggerFactory.getLogger(CrashMaskingPauseFile.class);

    /**
     * What the file says.
     *
     * @param slot        the active slot whose process crash masking was bringing back
     * @param pausedSince when the pause began, as the route reported it (for the log)
     * @param why         why crash masking paused or took the route over
     */
    record Saved(String slot, Instant pausedSince, String why) {}

    private final String route;
    private final Path file;

    CrashMaskingPauseFile(String route, Path routeDir) {
        this.route = route;
        this.file = routeDir.resolve("crash-masking-pause.json");
    }

    Path path() {
        return file;
    }

    /** Records that crash masking owns the route's pause. A write that fails is logged: the pause itself goes on. */
    void write(Saved saved) {
        ObjectNode json = DeployJson.mapper().createObjectNode();
        json.put("route", route);
        json.put("slot", saved.slot());
        json.put("paused_since", saved.pausedSince().toString());
        json.put("why", saved.why());
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                channel.write(ByteBuffer.wrap(DeployJson.mapper().writeValueAsBytes(json)));
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            log.error("route {}: cannot write {}: {} (a holdport restart before slot {} is ready would leave the"
                    + " route paused until resumed)", route, file, e.toString(), saved.slot());
            try {
                Files.deleteIfExists(temp); // a half-written temp file is no record of anything
            } catch (IOException ignored) {
                // the error above says the write failed; a stray temp file is never read
            }
        }
    }

    /** Crash masking no longer owns the route's pause. */
    void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.error("route {}: cannot delete {}: {} (a holdport restart could resume a pause that is no longer"
                    + " crash masking's)", route, file, e.toString());
        }
    }

    /**
     * What an earlier holdport left; empty when nothing. A file that cannot be read, or names
     * another route, is logged and deleted: it proves nothing, so a paused route stays paused for
     * an operator to resume.
     */
    Optional<Saved> read() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            JsonNode json = DeployJson.mapper().readTree(file.toFile());
            if (json == null || !json.isObject()) {
                throw new IOException("not a JSON object");
            }
            String owner = json.path("route").asText("");
            if (!owner.equals(route)) {
                throw new IOException("it is for route \"" + owner + "\", not " + route);
            }
            String slot = json.path("slot").asText("");
            if (slot.isEmpty()) {
                throw new IOException("no slot");
            }
            return Optional.of(new Saved(slot, Instant.parse(json.path("paused_since").asText()),
                    json.path("why").asText("")));
        } catch (IOException | RuntimeException e) {
            log.warn("route {}: {} is unreadable ({}): deleting it; a paused route is left paused for an operator to"
                    + " resume", route, file, e.getMessage());
            delete();
            return Optional.empty();
        }
    }
}
