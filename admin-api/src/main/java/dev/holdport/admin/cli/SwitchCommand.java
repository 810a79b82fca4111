package dev.holdport.admin.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "switch", mixinStandardHelpOptions = true,
        description = "Sends new connections to another slot at once; live relays to the old slot continue.")
public final class SwitchCommand extends RouteCommand {

    @Option(names = "--slot", required = true, paramLabel = "SLOT", description = "the slot to make active")
    String slot;

    @Override
    String action() {
        return "switch";
    }

    @Override
    ObjectNode arguments() {
        return MAPPER.createObjectNode().put("slot", slot);
    }
}
