package dev.holdport.deploy;

import dev.holdport.config.SlotConfig;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A command of a slot (its start and stop commands, an exec readiness check) as holdport runs
 * every one: in the slot's install path, a relative program ({@code ./bin/server}) found there,
 * in a process group of its own ({@link Signals#inOwnGroup}, so that it can be stopped or killed
 * with everything it started), with the slot's variables on top of holdport's own environment
 * (less {@value #ADMIN_TOKEN_VARIABLE}), no input, stderr into stdout (the caller says where).
 */
final class SlotCommand {

    /** The variable the admin token is documented to come from; slot commands do not see it. */
    static final String ADMIN_TOKEN_VARIABLE = "HOLDPORT_ADMIN_TOKEN";

    private SlotCommand() {}

    static ProcessBuilder of(String route, SlotConfig slot, List<String> command) {
        Path dir = Path.of(slot.path().isEmpty() ? "." : slot.path());
        ProcessBuilder builder = new ProcessBuilder(Signals.inOwnGroup(resolve(command, dir)))
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true);
        // The admin token is holdport's secret, not the service's: a backend (or its readiness
        // check) that could read it could pause or deploy over the admin API.
        builder.environment().remove(ADMIN_TOKEN_VARIABLE);
        builder.environment().putAll(environment(route, slot));
        return builder;
    }

    /** The variables every command of the slot gets. */
    private static Map<String, String> environment(String route, SlotConfig slot) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOLDPORT_ROUTE", route);
        env.put("HOLDPORT_SLOT", slot.name());
        env.put("HOLDPORT_HOST", slot.address().host());
        env.put("HOLDPORT_PORT", Integer.toString(slot.address().port()));
        return env;
    }

    /** A program given as a relative path ({@code ./bin/server}) is found in the slot's install path. */
    private static List<String> resolve(List<String> command, Path dir) {
        List<String> resolved = new ArrayList<>(command);
        String program = command.get(0);
        if (program.contains("/") && !Path.of(program).isAbsolute()) {
            resolved.set(0, dir.resolve(program).normalize().toString());
        }
        return resolved;
    }
}
