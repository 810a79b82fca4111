package dev.holdport.bench.target;

import dev.holdport.bench.process.Programs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * HAProxy in {@code mode tcp}, one frontend/backend pair per route, otherwise at its defaults
 * (threads = cores). The deploy route gets HAProxy's best setting for a backend restarted in
 * place: connect retries ({@code retries 60}, {@code timeout connect 100ms}) with no health
 * check, so a refused connect is retried every 100 ms for up to 6 s instead of failing at once.
 * See PEERS notes in the README for what else was tried.
 */
public final class HaproxyTarget {

    private HaproxyTarget() {}

    public static Target start(LaunchContext context) throws TargetUnavailable {
        Path haproxy = Programs.find("haproxy").orElse(null);
        if (haproxy == null) {
            throw new TargetUnavailable("haproxy is not installed (run benchmarks/setup.sh)");
        }
        Map<Route, Integer> listen = context.newListenPorts();
        Path config = context.workDir().resolve("haproxy.cfg");
        try {
            Files.writeString(config, config(listen, context.backendPorts()));
        } catch (IOException e) {
            throw new TargetUnavailable("cannot write " + config, e);
        }
        List<String> command = List.of(haproxy.toString(), "-db", "-f", config.toString());
        return new ProxyProcess("haproxy", ProxyProcess.launch("haproxy", command, context, listen), listen);
    }

    static String config(Map<Route, Integer> listen, Map<Route, Integer> backends) {
        StringBuilder cfg = new StringBuilder();
        cfg.append("""
                global
                    log stderr format raw local0 err

                defaults
                    mode tcp
                    log global
                    timeout connect 5s
                    timeout client 120s
                    timeout server 120s

                """);
        for (Route route : listen.keySet()) {
            cfg.append("frontend fe_").append(route.id()).append('\n')
                    .append("    bind 127.0.0.1:").append(listen.get(route)).append('\n')
                    .append("    default_backend be_").append(route.id()).append("\n\n")
                    .append("backend be_").append(route.id()).append('\n');
            if (route == Route.DEPLOY) {
                cfg.append("    retries 60\n    timeout connect 100ms\n");
            }
            cfg.append("    server s1 127.0.0.1:").append(backends.get(route)).append("\n\n");
        }
        return cfg.toString();
    }
}
