package dev.holdport.admin.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = {
            "Deploys a slot in one call: holdport starts it, waits until it is ready, moves traffic to it "
                    + "and stops the old one, rolling back by itself if a step fails.",
            "Prints a line per step as it ends.",
            "Exits 0 when the slot serves, 1 when the deploy rolled back, failed or was cancelled (printing why)."
        })
public final class DeployCommand extends StartsDeployCommand {

    @Option(names = "--slot", required = true, paramLabel = "SLOT", description = "the slot to deploy")
    String slot;

    @Override
    String action() {
        return "deploy";
    }

    @Override
    ObjectNode arguments() {
        return deployArguments().put("slot", slot);
    }
}
