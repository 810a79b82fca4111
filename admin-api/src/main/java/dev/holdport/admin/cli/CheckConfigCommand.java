package dev.holdport.admin.cli;

import dev.holdport.admin.Main;
import dev.holdport.config.ConfigLoader;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

@Command(
        name = "check-config",
        mixinStandardHelpOptions = true,
        description = {
            "Validates a config file and prints the effective config (defaults applied).",
            "Exits 2 and lists every problem, each with its key path, when the file is invalid."
        })
public final class CheckConfigCommand implements Callable<Integer> {

    @Mixin
    ConfigFile config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return config.loadThen(spec.commandLine().getErr(), loaded -> {
            spec.commandLine().getOut().print(ConfigLoader.render(loaded));
            spec.commandLine().getOut().flush();
            return Main.OK;
        });
    }
}
