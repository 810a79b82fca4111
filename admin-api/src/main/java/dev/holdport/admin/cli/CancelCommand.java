package dev.holdport.admin.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdport.admin.Main;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;

@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = {
            "Cancels a running deploy (or rollback): it rolls back to the slot it came from and ends cancelled.",
            "Answers at once; a start or stop in progress is finished first. "
                    + "holdport deploy, if it is following that deploy, shows the rollback.",
            "Exits 1 when the deploy is unknown or has already ended."
        })
public final class CancelCommand extends AdminCommand {

    @Parameters(index = "0", paramLabel = "ID", description = "the deploy's id, as holdport deploy prints it (web-20250114T120301Z-3f2a)")
    String id;

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
        if (json) {
            return super.answered(client, answer, out, err);
        }
        try {
            JsonNode deploy = MAPPER.readTree(answer.body());
            out.println("cancelling " + (deploy.path("rollback").asBoolean() ? "rollback " : "deploy ") + id
                    + ": it rolls back to slot " + deploy.path("from").asText());
        } catch (IOException e) {
            out.println(answer.body().strip());
        }
        return Main.OK;
    }
}
