package dev.holdport.admin.cli;

import picocli.CommandLine.Command;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Shows each route: state, active slot, held connections, live relays per slot, counters,"
                + " and the process of each supervised slot (running or stopped, pid, uptime).")
public final class StatusCommand extends RouteCommand {

    @Override
    String action() {
        return "status";
    }

    @Override
    String method() {
        return "GET";
    }
}
