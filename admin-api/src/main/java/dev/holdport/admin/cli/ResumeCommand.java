package dev.holdport.admin.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "resume", mixinStandardHelpOptions = true,
        description = "Releases held connections, in arrival order, to the active slot (or to --slot, made active).")
public final class ResumeCommand extends RouteCommand {

    @Option(names = "--slot", paramLabel = "SLOT", description = "make this slot active first")
    String slot;

    @Override
    String action() {
        return "resume";
    }

    @Override
    ObjectNode arguments() {
        return slot == null ? null : MAPPER.createObjectNode().put("slot", slot);
    }
}
