package dev.holdport.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * holdport-VERSION.tar.gz unpacked by {@code tar} into a temporary folder whose path contains
 * a space, as a user would install it; launches {@code bin/holdport} from there.
 */
final class UnpackedDistribution implements AutoCloseable {

    private final Path parent;
    private final Path home;

    private UnpackedDistribution(Path parent, Path home) {
        this.parent = parent;
        this.home = home;
    }

    /** Unpacks the archive the build just made (its path comes from the failsafe configuration). */
    static UnpackedDistribution unpack() throws IOException, InterruptedException {
        Path archive = Path.of(requiredProperty("holdport.dist.archive"));
        if (!Files.isRegularFile(archive)) {
            throw new IllegalStateException(archive + " does not exist: run the package phase first");
        }
        Path parent = Files.createTempDirectory("holdport dist ");
        Process tar = new ProcessBuilder("tar", "-xzf", archive.toString(), "-C", parent.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(tar.getInputStream().readAllBytes());
        if (!tar.waitFor(60, TimeUnit.SECONDS) || tar.exitValue() != 0) {
            throw new IllegalStateException("tar -xzf " + archive + " failed: " + output);
        }
        Path home = parent.resolve("holdport-" + requiredProperty("holdport.dist.version"));
        return new UnpackedDistribution(parent, home);
    }

    static String requiredProperty(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            throw new IllegalStateException("system property " + name + " is not set: run this test through Maven (failsafe)");
        }
        return value;
    }

    /** The installation directory: bin/, lib/, conf/, … */
    Path home() {
        return home;
    }

    /** A scratch directory next to the installation (also under the path with a space). */
    Path scratch(String name) throws IOException {
        return Files.createDirectories(parent.resolve(name));
    }

    Path launcher() {
        return home.resolve("bin/holdport");
    }

    /**
     * Starts {@code launcher} (bin/holdport or a link to it) with {@code args}, in the
     * installation directory, output to {@code log}. {@code environment} adjusts the inherited
     * environment; NOTIFY_SOCKET is removed first so only a test that wants it has it.
     */
    Process start(Path launcher, List<String> args, Consumer<Map<String, String>> environment, Path log)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(launcher.toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().remove("NOTIFY_SOCKET");
        environment.accept(builder.environment());
        return builder.start();
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> files = Files.walk(parent)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
