package dev.holdport.admin.cli;

import dev.holdport.admin.Main;
import dev.holdport.config.ConfigLoader;
import dev.holdport.config.HoldportConfig;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "check-config",
        mixinStandardHelpOptions = true,
        description = {
            "Validates a config file and prints the effective config (defaults applied).",
            "Exits 2 and lists every problem, each with its key path, when the file is invalid."
        })
public final class CheckConfigCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "the HOCON config file")
    Path config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Optional<HoldportConfig> loaded = ConfigFile.load(config, spec.commandLine().getErr());
        if (loaded.isEmpty()) {
            return Main.USAGE;
        }
        spec.commandLine().getOut().print(ConfigLoader.render(loaded.get()));
        spec.commandLine().getOut().flush();
        return Main.OK;
    }
}
