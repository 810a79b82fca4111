package dev.holdport.admin.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdport.admin.DurationText;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

@Command(name = "drain", mixinStandardHelpOptions = true,
        description = {
            "Waits until the relays a backend stop would cut have ended (or a timeout) and prints what remained:",
            "while a route is open, relays to inactive slots; while it is paused, every relay.",
            "Exits 0 either way: read DRAINED and REMAINING (or \"drained\" and \"remaining\" with --json)."
        })
public final class DrainCommand extends RouteCommand {

    /** Time for the answer to arrive after the drain's own timeout. */
    private static final Duration ANSWER_GRACE = Duration.ofSeconds(30);

    @Option(names = "--timeout", paramLabel = "DURATION",
            description = "give up after this long (30s, 2m, ...; default: the route's drain.timeout; "
                    + "without --route, the largest drain.timeout of the routes)")
    String drainTimeout;

    @Override
    String action() {
        return "drain";
    }

    @Override
    ObjectNode arguments() {
        return drainTimeout == null ? null : MAPPER.createObjectNode().put("timeout", drainTimeout);
    }

    @Override
    Optional<Duration> timeout() {
        if (drainTimeout == null) {
            return Optional.empty(); // the route's own timeout bounds it; the client cannot know it
        }
        try {
            return Optional.of(DurationText.parse(drainTimeout).plus(ANSWER_GRACE));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--timeout: " + e.getMessage());
        }
    }
}
