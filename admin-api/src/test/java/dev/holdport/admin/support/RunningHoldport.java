package dev.holdport.admin.support;

import dev.holdport.admin.HoldportProcess;
import dev.holdport.config.ConfigLoader;
import dev.holdport.config.HoldportConfig;
import dev.holdport.deploy.SlotProcessStatus;
import dev.holdport.proxy.testing.Backend;
import dev.holdport.proxy.testing.FreePort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

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

    /** Route {@code web} relaying to {@code a} (active) and {@code b} (tests use it through {@link HoldportFixture}). */
    static RunningHoldport webRoute(Backend a, Backend b, Optional<String> token) throws Exception {
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

    /**
     * Route {@code web} with supervised slots {@code a} (active) and {@code b}, installed in
     * {@code <installs>/a} and {@code <installs>/b} (see {@link SlotInstall}), on free ports.
     * Slot a is started by holdport itself (nothing answers on its port yet). The slots'
     * processes are stopped with holdport ({@code stop-on-exit}), so no test leaks one. Tests use
     * it through {@link HoldportFixture}.
     */
    static RunningHoldport supervisedWebRoute(Path installs, Optional<String> token) throws Exception {
        String admin = "admin { listen = \"127.0.0.1:0\"" + token.map(t -> ", token = \"" + t + "\"").orElse("") + " }";
        String slot = "address = \"127.0.0.1:%d\", path = \"%s\", start = [\"./run.sh\"], stop-timeout = 5s,"
                + " stop-on-exit = true, ready { interval = 50ms, timeout = 30s }";
        return start("""
                %s
                shutdown.drain-timeout = 1s
                routes.web {
                  listen = "127.0.0.1:0"
                  active = a
                  drain.timeout = 2s
                  slots.a { %s }
                  slots.b { %s }
                }
                """.formatted(admin, slot.formatted(FreePort.pick(), installs.resolve("a")),
                slot.formatted(FreePort.pick(), installs.resolve("b"))));
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

    /** The admin API's base URL, without a trailing slash (for {@code --admin}). */
    public String url() {
        return process.admin().url();
    }

    public int adminPort() {
        return process.admin().port();
    }

    /** The port a route's listener is bound to. */
    public int port(String route) {
        return process.proxy().route(route).orElseThrow().listenAddress().getPort();
    }

    /** The pid of a supervised slot's running process, if it runs. */
    public OptionalLong pid(String slot) {
        return process.deployer().slots().stream().filter(s -> s.slot().equals(slot)).findFirst()
                .map(SlotProcessStatus::pid).orElse(OptionalLong.empty());
    }

    @Override
    public void close() throws IOException {
        List<Long> pids = new ArrayList<>();
        process.deployer().slots().forEach(s -> s.pid().ifPresent(pids::add));
        process.shutdown();
        // stop-on-exit stopped them; make sure nothing outlives the test even if that failed.
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(p -> {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            });
        }
        deleteTree(stateDir);
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
