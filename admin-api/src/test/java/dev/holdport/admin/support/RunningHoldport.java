package dev.holdport.admin.support;

import dev.holdport.admin.HoldportProcess;
import dev.holdport.config.ConfigLoader;
import dev.holdport.config.HoldportConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * holdport running in the test's JVM, the way {@code holdport run} runs it (proxy, metrics and
 * the real Jetty admin API), on free loopback ports: one route {@code web} with slots
 * {@code a} and {@code b}, or a config the test writes.
 */
public final class RunningHoldport implements AutoCloseable {

    private final HoldportProcess process;
    private final Path stateDir;

    private RunningHoldport(HoldportProcess process, Path stateDir) {
        this.process = process;
        this.stateDir = stateDir;
    }

    /** Route {@code web} relaying to {@code a} (active) and {@code b}; no token. */
    public static RunningHoldport webRoute(LineBackend a, LineBackend b) throws Exception {
        return webRoute(a, b, Optional.empty());
    }

    public static RunningHoldport webRoute(LineBackend a, LineBackend b, Optional<String> token) throws Exception {
        String admin = "admin { listen = \"127.0.0.1:0\"" + token.map(t -> ", token = \"" + t + "\"").orElse("") + " }";
        return start("""
                %s
                shutdown.drain-timeout = 1s
                routes.web {
                  listen = "127.0.0.1:0"
                  active = a
                  slots.a { address = "%s", path = "/opt/app/a" }
                  slots.b { address = "%s", path = "/opt/app/b" }
                  drain.timeout = 2s
                  backend.retry-refused-for = 1s
                }
                """.formatted(admin, a.address(), b.address()));
    }

    /** @param holdportBody the inside of {@code holdport { ... }}; the state file is set here */
    public static RunningHoldport start(String holdportBody) throws Exception {
        Path stateDir = Files.createTempDirectory("holdport-test-");
        HoldportConfig config = ConfigLoader.parse("holdport {\n state-file = \""
                + stateDir.resolve("state.properties") + "\"\n" + holdportBody + "\n}\n");
        return new RunningHoldport(HoldportProcess.start(config), stateDir);
    }

    public HoldportProcess process() {
        return process;
    }

    /** The admin API's base URL, without a trailing slash. */
    public String api() {
        return process.admin().url();
    }

    public int adminPort() {
        return process.admin().port();
    }

    /** The port a route's listener is bound to. */
    public int port(String route) {
        return process.proxy().route(route).orElseThrow().listenAddress().getPort();
    }

    @Override
    public void close() throws IOException {
        process.shutdown();
        try (var files = Files.list(stateDir)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
        }
        Files.deleteIfExists(stateDir);
    }
}
