package dev.holdport.admin.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Option;

/**
 * A client command on the routes, whose {@link #action()} is also the endpoint's name:
 * {@code /pause} acts on every route, {@code --route web} makes it {@code /routes/web/pause}.
 */
abstract class RouteCommand extends AdminCommand {

    @Option(names = "--route", paramLabel = "ROUTE", description = "act on this route only (default: every route; deploy and rollback: the only route)")
    String route;

    @Override
    final String path() {
        return route == null
                ? "/" + action()
                : "/routes/" + URLEncoder.encode(route, StandardCharsets.UTF_8) + "/" + action();
    }
}
