package dev.holdport.proxy;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The small file that keeps each route's active slot and paused flag across restarts, so that a
 * restarted holdport never silently routes back to the slot named in the config file.
 *
 * <p>Format (Java properties): {@code route.<name>.active=b} and {@code route.<name>.paused=false}.
 * Writes are atomic: a temp file in the same directory, fsync, rename over the old one.
 */
final class StateFile {

    private final Path path;

    StateFile(Path path) {
        this.path = path.toAbsolutePath();
    }

    Path path() {
        return path;
    }

    /**
     * Reads the saved state; empty when there is no file yet.
     *
     * @throws IOException when the file exists but cannot be read or makes no sense; the message
     *     says what is wrong
     */
    Map<String, SavedRouteState> read() throws IOException {
        Map<String, SavedRouteState> routes = new TreeMap<>();
        if (!Files.exists(path)) {
            return routes;
        }
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (IllegalArgumentException e) {
            throw new IOException("not a properties file: " + e.getMessage(), e);
        }
        for (String key : props.stringPropertyNames()) {
            if (!key.startsWith("route.") || !(key.endsWith(".active") || key.endsWith(".paused"))) {
                throw new IOException("unexpected key \"" + key + "\"");
            }
        }
        for (String key : props.stringPropertyNames()) {
            if (!key.endsWith(".active")) {
                continue;
            }
            String route = key.substring("route.".length(), key.length() - ".active".length());
            String active = props.getProperty(key).trim();
            String paused = props.getProperty("route." + route + ".paused", "false").trim();
            if (active.isEmpty()) {
                throw new IOException("route." + route + ".active is empty");
            }
            if (!paused.equals("true") && !paused.equals("false")) {
                throw new IOException("route." + route + ".paused is \"" + paused + "\", not true or false");
            }
            routes.put(route, new SavedRouteState(active, Boolean.parseBoolean(paused)));
        }
        return routes;
    }

    /** Replaces the file with {@code routes}, atomically and durably. */
    void write(Map<String, SavedRouteState> routes) throws IOException {
        StringWriter text = new StringWriter();
        text.write("# holdport state: the active slot and paused flag of each route, restored on start.\n");
        text.write("# Written by holdport; change routes through its API, not here.\n");
        for (Map.Entry<String, SavedRouteState> e : new TreeMap<>(routes).entrySet()) {
            text.write("route." + e.getKey() + ".active=" + e.getValue().active() + "\n");
            text.write("route." + e.getKey() + ".paused=" + e.getValue().paused() + "\n");
        }
        Path dir = path.getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, path.getFileName().toString(), ".tmp");
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = StandardCharsets.UTF_8.encode(text.toString());
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                out.force(true);
            }
            Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
