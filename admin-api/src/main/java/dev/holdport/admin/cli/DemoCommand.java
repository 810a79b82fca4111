package dev.holdport.admin.cli;

import dev.holdport.admin.HoldportProcess;
import dev.holdport.admin.Main;
import dev.holdport.admin.demo.DemoBackend;
import dev.holdport.config.HostPort;
import dev.holdport.config.HoldportConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Runs holdport with built-in backends and no config, and prints commands to try.",
            "Slot a answers \"hello from a\", slot b \"hello from b\"; both are tiny HTTP servers on loopback."
        })
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8080",
            description = "where holdport listens for clients (default: ${DEFAULT-VALUE})")
    String listen;

    @Option(names = "--admin-listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9900",
            description = "where the admin API listens (default: ${DEFAULT-VALUE})")
    String adminListen;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        HostPort listenAt;
        HostPort adminAt;
        try {
            listenAt = HostPort.parse(listen);
            adminAt = HostPort.parse(adminListen);
        } catch (IllegalArgumentException e) {
            err.println("holdport demo: " + e.getMessage());
            err.flush();
            return Main.USAGE;
        }
        Path workDir = Files.createTempDirectory("holdport-demo-");
        DemoBackend a = DemoBackend.start("a");
        DemoBackend b = DemoBackend.start("b");
        Runnable cleanUp = () -> {
            a.close();
            b.close();
            deleteTree(workDir);
        };
        Path configFile = workDir.resolve("demo.conf");
        Files.writeString(configFile, config(listenAt, adminAt, a, b, workDir), StandardCharsets.UTF_8);
        Optional<HoldportConfig> config = ConfigFile.load(configFile, err);
        if (config.isEmpty()) {
            cleanUp.run();
            return Main.USAGE;
        }
        int code = RunCommand.serveUntilSignalled(config.get(), err,
                process -> printInstructions(process, configFile, a, b), cleanUp);
        cleanUp.run(); // reached only when holdport could not start (it exits from the signal handler)
        return code;
    }

    private static String config(HostPort listen, HostPort admin, DemoBackend a, DemoBackend b, Path workDir) {
        return """
                # Written by `holdport demo`: the same file a real deployment would use.
                holdport {
                  state-file = "%s"
                  shutdown.drain-timeout = 2s
                  admin.listen = "%s"
                  routes.demo {
                    listen = "%s"
                    active = a
                    slots.a { address = "%s", path = "built-in demo backend a" }
                    slots.b { address = "%s", path = "built-in demo backend b" }
                  }
                }
                """.formatted(workDir.resolve("state.properties"), admin, listen, a.address(), b.address());
    }

    private void printInstructions(HoldportProcess process, Path configFile, DemoBackend a, DemoBackend b) {
        String front = process.proxy().routes().get(0).listenAddress().getAddress().getHostAddress() + ":"
                + process.proxy().routes().get(0).listenAddress().getPort();
        String api = process.admin().url();
        String cli = "java -jar admin-api/target/holdport.jar";
        String adminFlag = api.equals("http://127.0.0.1:9900") ? "" : " --admin " + api;
        PrintWriter out = spec.commandLine().getOut();
        out.printf("""

                holdport demo is running (config: %s)
                  clients:    http://%s/  ->  slot a (%s) or slot b (%s)
                  admin API:  %s

                Try, in another terminal:
                  curl http://%s/                          # hello from a
                  curl -X POST %s/pause                    # new connections are now held
                  curl http://%s/ &                        # ...this one waits
                  curl %s/status                           # "held": 1
                  curl -X POST %s/resume                   # ...and now it is answered
                  curl -X POST '%s/switch?slot=b'
                  curl http://%s/                          # hello from b

                The same with the CLI:
                  %s status%s
                  %s pause%s
                  %s resume%s
                  %s switch --slot a%s

                Ctrl-C stops the demo.
                %n""",
                configFile, front, a.address(), b.address(), api,
                front, api, front, api, api, api, front,
                cli, adminFlag, cli, adminFlag, cli, adminFlag, cli, adminFlag);
        out.flush();
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
