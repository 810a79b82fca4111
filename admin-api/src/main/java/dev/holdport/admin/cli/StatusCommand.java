package dev.holdport.admin.cli;

import picocli.CommandLine.Command;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Shows each route: state, active slot, held connections, live relays per slot, counters.")
public final class StatusCommand extends AdminCommand {

    @Override
    String action() {
        return "status";
    }

    @Override
    String method() {
        return "GET";
    }
}
