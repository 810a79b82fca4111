package dev.holdport.admin.cli;

import dev.holdport.config.ConfigLoader;
import dev.holdport.config.HoldportConfig;
import dev.holdport.config.InvalidConfigException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Loads a config file for {@code run} and {@code check-config}, reporting every problem. */
final class ConfigFile {

    private ConfigFile() {}

    /** The config, or empty after printing to {@code err} each problem on its own line. */
    static Optional<HoldportConfig> load(Path file, PrintWriter err) {
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
