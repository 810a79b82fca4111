package dev.holdport.deploy;

import static org.awaitility.Awaitility.await;

import dev.holdport.config.ConfigLoader;
import dev.holdport.config.HoldportConfig;
import dev.holdport.proxy.Proxy;
import dev.holdport.proxy.Route;
import dev.holdport.proxy.testing.Clients;
import dev.holdport.proxy.testing.FreePort;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A holdport (proxy + deployer) for one test: route {@code web} with supervised slots {@code a}
 * and {@code b}, each installed in its own folder under the test's directory, on free ports.
 * Closing it also kills every process its slots ran, so no test leaks a child process.
 */
final class TestHoldport implements AutoCloseable {

    static final Duration DEPLOY_WAIT = Duration.ofSeconds(90);
    /** Clients of {@link #startLoad}: enough to keep the route busy, few enough for a shared machine. */
    static final int LOAD_CLIENTS = 6;
    /** The longest a test's load runs: it stops by itself then, whatever the test does. */
    static final Duration LOAD_LIMIT = Duration.ofSeconds(60);

    static {
        // Conditions here wait on child JVMs on a shared, busy machine: allow more than Awaitility's 10 s.
        org.awaitility.Awaitility.setDefaultTimeout(Duration.ofSeconds(60));
    }

    final Path dir;
    final int portA = FreePort.pick();
    final int portB = FreePort.pick();
    private String slotExtraA = "";
    private String slotExtraB = "";
    private String routeExtra = "";
    private HoldportConfig config;
    private Proxy proxy;
    private Deployer deployer;
    private final Set<Long> pidsSeen = new HashSet<>();

    TestHoldport(Path dir) {
        this.dir = dir;
    }

    Path slotPath(String slot) {
        return dir.resolve("opt").resolve(slot);
    }

    /** Installs a version (a {@code run.sh} body, see {@link Installs}) in a slot's folder. */
    TestHoldport install(String slot, String script) {
        Installs.install(slotPath(slot), script);
        return this;
    }

    /** Extra HOCON inside {@code slots.<slot> { ... }}. */
    TestHoldport slotSettings(String slot, String hocon) {
        if (slot.equals("a")) {
            slotExtraA = hocon;
        } else {
            slotExtraB = hocon;
        }
        return this;
    }

    /** Extra HOCON inside {@code routes.web { ... }}. */
    TestHoldport routeSettings(String hocon) {
        routeExtra = hocon;
        return this;
    }

    String configText() {
        return """
                holdport {
                  state-file = "%s"
                  event-loop-threads = 2
                  routes.web {
                    listen = "127.0.0.1:0"
                    active = a
                    drain.timeout = 5s
                    %s
                    slots {
                      a { address = "127.0.0.1:%d", path = "%s", start = ["./run.sh"], stop-timeout = 5s
                          ready { interval = 50ms, timeout = 30s }
                          %s }
                      b { address = "127.0.0.1:%d", path = "%s", start = ["./run.sh"], stop-timeout = 5s
                          ready { interval = 50ms, timeout = 30s }
                          %s }
                    }
                  }
                }
                """.formatted(dir.resolve("state/holdport-state.properties"), routeExtra,
                portA, slotPath("a"), slotExtraA, portB, slotPath("b"), slotExtraB);
    }

    /** Starts the proxy and the deployer (which starts slot a: nothing answers on its port yet). */
    TestHoldport start() throws Exception {
        config = ConfigLoader.parse(configText());
        proxy = Proxy.start(config);
        deployer = Deployer.start(proxy, config);
        return this;
    }

    /** Stops holdport (processes keep running, as in production) and starts it again on the same state. */
    TestHoldport restart() throws Exception {
        return restart(() -> {});
    }

    /** {@link #restart()}, doing {@code whileStopped} once holdport has stopped and before it starts again. */
    TestHoldport restart(Runnable whileStopped) throws Exception {
        rememberPids();
        deployer.close();
        proxy.close();
        whileStopped.run();
        return start();
    }

    /** The state directory: the proxy's state file, deploys.json, and slots/web/ (pid, log and crash masking files). */
    Path stateDir() {
        return dir.resolve("state");
    }

    /** The proxy's state file as it is on disk ({@code route.web.active}, {@code route.web.paused}). */
    Map<String, String> savedState() throws IOException {
        Properties saved = new Properties();
        try (Reader in = Files.newBufferedReader(stateDir().resolve("holdport-state.properties"))) {
            saved.load(in);
        }
        Map<String, String> state = new TreeMap<>();
        saved.stringPropertyNames().forEach(k -> state.put(k, saved.getProperty(k)));
        return state;
    }

    /** Where crash masking keeps that it owns route web's pause. */
    Path crashMaskingPauseFile() {
        return stateDir().resolve("slots/web/crash-masking-pause.json");
    }

    Route route() {
        return proxy.routes().get(0);
    }

    InetSocketAddress address() {
        return route().listenAddress();
    }

    Deployer deployer() {
        return deployer;
    }

    /** Waits until a request through holdport is answered by {@code name}. */
    void awaitServing(String name) {
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> Clients.ask(address(), "up?").equals(name));
    }

    /** Sends one request through holdport on another thread, so the test can watch it being held. */
    CompletableFuture<String> askInBackground(String request) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return Clients.ask(address(), request);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * Starts continuous client load through holdport ({@value #LOAD_CLIENTS} clients, see
     * {@link Load}) and returns it once {@code version} has answered 50 of its requests.
     */
    Load startLoad(String version) {
        Load load = new Load(address(), LOAD_CLIENTS, LOAD_LIMIT);
        try {
            await().until(() -> load.answered(version) > 50);
            return load;
        } catch (RuntimeException | Error e) {
            load.close();
            throw e;
        }
    }

    /** Waits until the deploy's running step is {@code step} ({@code "ready b"}). */
    void awaitStep(Deploy started, String step) {
        await().until(() -> deployer.find(started.id()).flatMap(Deploy::currentStep)
                .map(DeployStep::name).orElse("").equals(step));
    }

    /** The pid of a slot's running process. */
    long pid(String slot) {
        return deployer.slots().stream()
                .filter(s -> s.slot().equals(slot))
                .findFirst()
                .orElseThrow()
                .pid()
                .orElseThrow(() -> new AssertionError("slot " + slot + " has no running process"));
    }

    SlotProcessStatus status(String slot) {
        return deployer.slots().stream().filter(s -> s.slot().equals(slot)).findFirst().orElseThrow();
    }

    /** Waits for a deploy to finish and returns its final snapshot. */
    Deploy awaitEnd(Deploy started) throws Exception {
        return deployer.completion(started.id()).orElseThrow().get(DEPLOY_WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private void rememberPids() {
        if (deployer != null) {
            deployer.slots().forEach(s -> s.pid().ifPresent(pidsSeen::add));
        }
    }

    @Override
    public void close() {
        rememberPids();
        if (deployer != null) {
            deployer.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        for (long pid : pidsSeen) {
            ProcessHandle.of(pid).ifPresent(p -> {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            });
        }
    }
}
