package dev.holdport.bench.target;

import dev.holdport.bench.process.ChildProcess;
import dev.holdport.bench.process.PortProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * holdport from its shaded jar ({@code java -jar holdport.jar run --config F}), one route per
 * service, each with a single slot {@code a}, and its admin API on a free loopback port. Held
 * connections are unlimited in time and allowed up to 100,000 in number, for the hold-capacity
 * scenario. The echo route, which that scenario uses, has a listen backlog of {@value #HOLD_BACKLOG},
 * where clients wait once holdport has as many client connections as its open-file limit allows;
 * the other routes have {@value #OTHER_BACKLOG}, plenty for the at most 64 concurrent connections of
 * the other scenarios. holdport keeps open files free for a burst of accepts from every listener's
 * backlog (up to 4,096 each), so small backlogs elsewhere leave more of its files for held
 * connections. It runs with the launcher's default collector (parallel); extra JVM options come from
 * the {@code HOLDPORT_JAVA_OPTS} environment variable.
 */
public final class HoldportTarget extends ProxyProcess {

    /** The listen backlog of the route the hold step uses (the kernel caps it at net.core.somaxconn). */
    public static final int HOLD_BACKLOG = 65_535;
    /** The listen backlog of every other route. */
    static final int OTHER_BACKLOG = 128;

    private final HoldportAdmin admin;

    private HoldportTarget(ChildProcess process, Map<Route, Integer> listen, HoldportAdmin admin) {
        super("holdport", process, listen);
        this.admin = admin;
    }

    public static HoldportTarget start(LaunchContext context, Path jar) throws TargetUnavailable {
        if (jar == null || !Files.isRegularFile(jar)) {
            throw new TargetUnavailable("holdport jar not found at " + jar
                    + " (build it: ./mvnw -B package -DskipTests)");
        }
        Map<Route, Integer> listen = context.newListenPorts();
        int adminPort = context.ports().next();
        Path config = context.workDir().resolve("holdport.conf");
        try {
            Files.writeString(config, config(listen, context.backendPorts(), adminPort, context.workDir()));
        } catch (IOException e) {
            throw new TargetUnavailable("cannot write " + config, e);
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String opts = System.getenv("HOLDPORT_JAVA_OPTS");
        List<String> extra = opts == null || opts.isBlank() ? List.of() : List.of(opts.trim().split("\\s+"));
        // As the distribution's launcher (src/bin/holdport) runs it: the parallel collector
        // unless the options name another one.
        if (extra.stream().noneMatch(o -> o.matches("-XX:\\+Use(Serial|Parallel|G1|Z|Shenandoah|Epsilon)GC"))) {
            command.add("-XX:+UseParallelGC");
        }
        command.addAll(extra);
        command.addAll(List.of("-jar", jar.toString(), "run", "--config", config.toString()));
        ChildProcess process = ProxyProcess.launch("holdport", command, context, listen);
        HoldportTarget target = new HoldportTarget(process, listen, new HoldportAdmin(adminPort));
        try {
            PortProbe.awaitListening(adminPort, Duration.ofSeconds(30), process::isAlive, "holdport admin API");
        } catch (IllegalStateException e) {
            target.close();
            throw new TargetUnavailable(e.getMessage() + "; log: " + tail(process.log()), e);
        }
        return target;
    }

    static String config(Map<Route, Integer> listen, Map<Route, Integer> backends, int adminPort, Path workDir) {
        StringBuilder cfg = new StringBuilder();
        cfg.append("holdport {\n")
                .append("  admin.listen = \"127.0.0.1:").append(adminPort).append("\"\n")
                .append("  state-file = \"").append(workDir.resolve("holdport-state.properties")).append("\"\n")
                .append("  routes {\n");
        for (Route route : listen.keySet()) {
            cfg.append("    ").append(route.id()).append(" {\n")
                    .append("      listen = \"127.0.0.1:").append(listen.get(route)).append("\"\n")
                    .append("      slots.a.address = \"127.0.0.1:").append(backends.get(route)).append("\"\n")
                    .append("      active = a\n")
                    .append("      hold.max-connections = 100000\n")
                    .append("      hold.timeout = 0\n");
            cfg.append("      backlog = ").append(route == Route.ECHO ? HOLD_BACKLOG : OTHER_BACKLOG).append('\n')
                    .append("    }\n");
        }
        cfg.append("  }\n}\n");
        return cfg.toString();
    }

    public HoldportAdmin admin() {
        return admin;
    }
}
