package dev.holdport.admin.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdport.admin.DurationText;
import dev.holdport.admin.Main;
import dev.holdport.deploy.DeployMode;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code deploy} and {@code rollback}: start a deploy through the admin API, then follow it to
 * its end ({@link DeployProgress}), so the exit code says whether the new slot serves.
 */
abstract class StartsDeployCommand extends RouteCommand {

    @Option(names = "--mode", paramLabel = "MODE",
            description = "switch, exclusive or restart (default: restart for the active slot, else switch;"
                    + " for a rollback, the mode of the deploy it undoes)")
    String mode;

    @Option(names = "--timeout", paramLabel = "DURATION",
            description = "roll back unless every step is done within this long (90s, 2m, ...;"
                    + " default: only each step's own limit)")
    String deployTimeout;

    /** {@code mode} and {@code timeout} as the API takes them, checked here so a typo is a usage error (exit 2). */
    ObjectNode deployArguments() {
        ObjectNode arguments = MAPPER.createObjectNode();
        if (mode != null) {
            try {
                arguments.put("mode", DeployMode.parse(mode).label());
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--mode: " + e.getMessage());
            }
        }
        if (deployTimeout != null) {
            try {
                if (DurationText.parse(deployTimeout).isZero()) {
                    throw new IllegalArgumentException("it must be greater than zero");
                }
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--timeout: " + e.getMessage());
            }
            arguments.put("timeout", deployTimeout);
        }
        return arguments;
    }

    @Override
    final int answered(AdminClient client, AdminClient.Answer answer, PrintWriter out, PrintWriter err)
            throws AdminClient.UnreachableException {
        JsonNode started;
        try {
            started = MAPPER.readTree(answer.body());
        } catch (IOException e) {
            err.println("holdport: " + action() + ": the admin API answered something that is not a deploy: "
                    + answer.body().strip());
            return Main.REFUSED;
        }
        return new DeployProgress(client, out, err, json, System.console() != null).follow(started,
                refusal -> printRefusal(refusal, out, err));
    }
}
