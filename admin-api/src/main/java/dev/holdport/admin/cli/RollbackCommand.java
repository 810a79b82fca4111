package dev.holdport.admin.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;

@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = {
            "Makes the previous active slot active again, through the same steps as a deploy "
                    + "(by default in the mode of the deploy it undoes).",
            "Exits 0 when the previous slot serves, 1 otherwise (printing why)."
        })
public final class RollbackCommand extends StartsDeployCommand {

    @Override
    String action() {
        return "rollback";
    }

    @Override
    ObjectNode arguments() {
        ObjectNode arguments = deployArguments();
        return arguments.isEmpty() ? null : arguments;
    }
}
