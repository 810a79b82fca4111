package dev.holdport.admin.cli;

import dev.holdport.admin.Main;
import dev.holdport.config.ConfigLoader;
import dev.holdport.config.HoldportConfig;
import dev.holdport.config.InvalidConfigException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.ToIntFunction;
import picocli.CommandLine.Option;

/**
 * The {@code --config FILE} option of {@code run} and {@code check-config} (a picocli mixin), and
 * the loading they both start with: every problem printed, exit 2 when there is one.
 */
final class ConfigFile {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "the HOCON config file")
    Path file;

    /**
     * Loads the file and runs {@code command} with the config; when the file cannot be read or is
     * invalid, prints why to {@code err} and returns {@link Main#USAGE} without running it.
     */
    int loadThen(PrintWriter err, ToIntFunction<HoldportConfig> command) {
        return loadThen(file, err, command);
    }

    /** {@link #loadThen(PrintWriter, ToIntFunction)} for a file the command wrote itself ({@code demo}). */
    static int loadThen(Path file, PrintWriter err, ToIntFunction<HoldportConfig> command) {
        return load(file, err).map(command::applyAsInt).orElse(Main.USAGE);
    }

    /** The config, or empty after printing to {@code err} each problem on its own line. */
    private static Optional<HoldportConfig> load(Path file, PrintWriter err) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            err.println("holdport: cannot read config file " + file
                    + (Files.exists(file) ? " (not a readable file)" : " (no such file)"));
            err.flush();
            return Optional.empty();
        }
        try {
            return Optional.of(ConfigLoader.load(file));
        } catch (InvalidConfigException e) {
            err.println("holdport: " + file + " is not a valid config:");
            for (String problem : e.problems()) {
                err.println("  " + problem);
            }
            err.flush();
            return Optional.empty();
        }
    }
}
