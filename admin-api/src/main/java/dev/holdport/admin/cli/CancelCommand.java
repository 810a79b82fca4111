package dev.holdport.admin.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdport.admin.Main;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;

@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = {
            "Cancels a running deploy (or rollback): it rolls back to the slot it came from and ends cancelled.",
            "Answers at once; a start or stop in progress is finished first. "
                    + "holdport deploy, if it is following that deploy, shows the rollback.",
            "Exits 1 when the deploy is unknown or has already ended.",
            "With --wait, waits until the deploy has ended (its rollback done): exits 0 when it ended rolled back"
                    + " or cancelled, 1 otherwise (it succeeded before the cancel could stop it, or failed)."
        })
public final class CancelCommand extends AdminCommand {

    @Parameters(index = "0", paramLabel = "ID", description = "the deploy's id, as holdport deploy prints it (web-20250114T120301Z-3f2a)")
    String id;

    @Option(names = "--wait", description = "wait until the deploy has ended (its rollback done); exit 0 only if it"
            + " ended rolled back or cancelled")
    boolean await;

    @Override
    String action() {
        return "cancel";
    }

    @Override
    String method() {
        return "DELETE";
    }

    @Override
    String path() {
        if (id.isBlank()) {
            throw new ParameterException(spec.commandLine(), "ID is empty: give the deploy's id (holdport deploy prints it)");
        }
        return AdminClient.deployPath(id);
    }

    @Override
    int answered(AdminClient client, AdminClient.Answer answer, PrintWriter out, PrintWriter err)
            throws AdminClient.UnreachableException {
        if (json && !await) {
            return super.answered(client, answer, out, err);
        }
        JsonNode deploy;
        try {
            deploy = MAPPER.readTree(answer.body());
        } catch (IOException e) {
            if (!await) {
                out.println(answer.body().strip()); // accepted all the same
                return Main.OK;
            }
            err.println("holdport: cancel: the admin API answered something that is not a deploy: " + answer.body().strip());
            return Main.REFUSED;
        }
        if (!json) {
            out.println("cancelling " + (deploy.path("rollback").asBoolean() ? "rollback " : "deploy ") + id
                    + ": it rolls back to slot " + deploy.path("from").asText());
            out.flush();
        }
        if (!await) {
            return Main.OK;
        }
        return new DeployProgress(client, out, err, json, false).awaitCancelled(deploy,
                refusal -> printRefusal(refusal, out, err));
    }
}
