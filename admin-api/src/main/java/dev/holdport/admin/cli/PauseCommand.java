package dev.holdport.admin.cli;

import picocli.CommandLine.Command;

@Command(name = "pause", mixinStandardHelpOptions = true,
        description = "Holds new connections (accepted and queued, never refused) until resume.")
public final class PauseCommand extends RouteCommand {

    @Override
    String action() {
        return "pause";
    }
}
