package dev.holdport.deploy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The log file of one supervised slot: the process's stdout and stderr, appended to
 * {@code <slot>.log} by the process itself (so it keeps logging when holdport exits).
 * When the file passes {@code maxBytes} it is copied to {@code <slot>.log.1} (older copies
 * shift to {@code .2} ... {@code .<keep>}) and truncated; the process's appends continue at the
 * new end because the file is opened in append mode.
 */
final class SlotLog {

    static final long DEFAULT_MAX_BYTES = 10L * 1024 * 1024;
    static final int DEFAULT_KEEP = 5;
    private static final String MARKER = "---- holdport ";

    private final Path file;
    private final long maxBytes;
    private final int keep;

    SlotLog(Path file, long maxBytes, int keep) {
        this.file = file;
        this.maxBytes = maxBytes;
        this.keep = keep;
    }

    Path file() {
        return file;
    }

    /** Appends a line of holdport's own (a start marker), so the log reads as a history of starts. */
    void mark(String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, MARKER + Instant.now() + ": " + text + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Rotates when the file has grown past the limit; returns whether it did. */
    synchronized boolean rotateIfFull() throws IOException {
        if (!Files.exists(file) || Files.size(file) <= maxBytes) {
            return false;
        }
        for (int i = keep - 1; i >= 1; i--) {
            Path older = generation(i);
            if (Files.exists(older)) {
                Files.move(older, generation(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.copy(file, generation(1), StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(0);
        }
        return true;
    }

    Path generation(int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }

    /** The last {@code lines} lines the latest start printed (from the last 4 KiB), to explain why a process failed. */
    String tail(int lines) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            int size = (int) Math.min(length, 4096);
            byte[] bytes = new byte[size];
            raf.seek(length - size);
            raf.readFully(bytes);
            Deque<String> last = new ArrayDeque<>();
            for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith(MARKER)) {
                    last.clear(); // only what the latest start printed
                } else if (!line.isBlank()) {
                    last.addLast(line.strip());
                    if (last.size() > lines) {
                        last.removeFirst();
                    }
                }
            }
            return String.join(" | ", last);
        } catch (IOException e) {
            return "";
        }
    }
}
