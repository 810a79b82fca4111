package dev.holdport.admin.cli;

import dev.holdport.admin.HoldportProcess;
import dev.holdport.admin.Main;
import dev.holdport.admin.demo.DemoBackend;
import dev.holdport.config.HostPort;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
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
        int code = ConfigFile.loadThen(configFile, err, config -> RunCommand.serveUntilSignalled(config, null, err,
                process -> printInstructions(process, configFile, a, b), cleanUp));
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
        InetSocketAddress listen = process.proxy().routes().get(0).listenAddress();
        String front = "http://" + listen.getAddress().getHostAddress() + ":" + listen.getPort() + "/";
        String api = process.admin().url();
        String cli = "java -jar admin-api/target/holdport.jar";
        String adminFlag = api.equals("http://127.0.0.1:9900") ? "" : " --admin " + api;
        String[][] tries = {
            {"curl " + front, "hello from a"},
            {"curl -X POST " + api + "/pause", "new connections are now held..."},
            {"curl " + front + " &", "...so this one waits"},
            {"curl " + api + "/status", "\"held\" : 1"},
            {"curl -X POST " + api + "/resume", "...and now it is answered"},
            {"curl -X POST '" + api + "/switch?slot=b'", "new connections go to slot b"},
            {"curl " + front, "hello from b"},
            {cli + " status" + adminFlag, "the same with the CLI"},
            {cli + " pause" + adminFlag, ""},
            {cli + " resume" + adminFlag, ""},
            {cli + " switch --slot a" + adminFlag, ""},
        };
        int width = Arrays.stream(tries).mapToInt(t -> t[0].length()).max().orElse(0) + 2;
        PrintWriter out = spec.commandLine().getOut();
        out.println();
        out.println("holdport demo is running (config: " + configFile + ")");
        out.println("  clients:    " + front + "  ->  slot a (" + a.address() + ") or slot b (" + b.address() + ")");
        out.println("  admin API:  " + api);
        out.println();
        out.println("Try, in another terminal:");
        for (String[] t : tries) {
            out.println(t[1].isEmpty() ? "  " + t[0] : "  " + t[0] + " ".repeat(width - t[0].length()) + "# " + t[1]);
        }
        out.println();
        out.println("Ctrl-C stops the demo.");
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
