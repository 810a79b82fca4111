package dev.holdport.bench.target;

import dev.holdport.bench.process.Programs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * nginx's {@code stream} module (Debian's {@code libnginx-mod-stream}), one server block per
 * route, worker processes = cores (the proxies' CPUs when the run pins them: nginx 1.22's
 * {@code auto} counts every online CPU). Runs in the foreground with its own prefix directory, so it
 * touches nothing of a system-wide nginx.
 */
public final class NginxTarget {

    private static final List<Path> MODULE_DIRS = List.of(
            Path.of("/usr/lib/nginx/modules"), Path.of("/usr/share/nginx/modules"), Path.of("/usr/lib64/nginx/modules"));

    private NginxTarget() {}

    public static Target start(LaunchContext context) throws TargetUnavailable {
        Path nginx = Programs.find("nginx").orElse(null);
        if (nginx == null) {
            throw new TargetUnavailable("nginx is not installed (run benchmarks/setup.sh)");
        }
        Path module = MODULE_DIRS.stream().map(d -> d.resolve("ngx_stream_module.so")).filter(Files::exists)
                .findFirst().orElse(null);
        if (module == null) {
            throw new TargetUnavailable("nginx's stream module is not installed (libnginx-mod-stream; run benchmarks/setup.sh)");
        }
        Map<Route, Integer> listen = context.newListenPorts();
        Path prefix = context.workDir().resolve("nginx");
        Path config = prefix.resolve("nginx.conf");
        try {
            Files.createDirectories(prefix);
            String workers = context.layout() == null ? "auto" : Integer.toString(context.layout().proxies().size());
            Files.writeString(config, config(module, prefix, workers, listen, context.backendPorts()));
        } catch (IOException e) {
            throw new TargetUnavailable("cannot write " + config, e);
        }
        List<String> command = List.of(nginx.toString(), "-p", prefix.toString(), "-e", "stderr", "-c", config.toString());
        return new ProxyProcess("nginx", ProxyProcess.launch("nginx", command, context, listen), listen);
    }

    static String config(Path module, Path prefix, String workers, Map<Route, Integer> listen, Map<Route, Integer> backends) {
        StringBuilder cfg = new StringBuilder();
        cfg.append("load_module ").append(module).append(";\n")
                .append("daemon off;\n")
                .append("worker_processes ").append(workers).append(";\n")
                .append("pid ").append(prefix.resolve("nginx.pid")).append(";\n")
                .append("error_log stderr warn;\n")
                .append("events { worker_connections 8192; }\n")
                .append("stream {\n");
        for (Route route : listen.keySet()) {
            cfg.append("    server {\n")
                    .append("        listen 127.0.0.1:").append(listen.get(route)).append(";\n")
                    .append("        proxy_pass 127.0.0.1:").append(backends.get(route)).append(";\n")
                    .append("    }\n");
        }
        cfg.append("}\n");
        return cfg.toString();
    }
}
