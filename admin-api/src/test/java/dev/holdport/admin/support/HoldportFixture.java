package dev.holdport.admin.support;

import static org.awaitility.Awaitility.await;

import dev.holdport.admin.HoldportProcess;
import dev.holdport.proxy.testing.Backend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The setup the admin-api tests share: holdport in the test's JVM ({@link RunningHoldport}) with
 * route {@code web} and slots {@code a} and {@code b}, a client of its admin API, and what its
 * slots need. Register it with {@code @RegisterExtension}: each part starts when the test first
 * asks for it, and everything is stopped after the test. Two kinds:
 *
 * <ul>
 *   <li>{@link #lineBackends()}: the slots are {@link Backend#namedEcho} backends in the test's JVM
 *       ({@code a} answers {@code a: <line>});
 *   <li>{@link #supervisedSlots()}: holdport starts and stops the slots' processes, from install
 *       folders the test fills with {@link #install} before it first uses holdport (which then
 *       starts slot a).
 * </ul>
 */
public final class HoldportFixture implements AfterEachCallback {

    /** Child JVMs start slowly on a shared, busy machine. */
    private static final Duration SERVING_WAIT = Duration.ofSeconds(60);

    private final boolean supervised;
    private Backend a;
    private Backend b;
    private Path installs;
    private RunningHoldport holdport;
    private Api api;

    private HoldportFixture(boolean supervised) {
        this.supervised = supervised;
    }

    public static HoldportFixture lineBackends() {
        return new HoldportFixture(false);
    }

    public static HoldportFixture supervisedSlots() {
        return new HoldportFixture(true);
    }

    /** Slot a's backend ({@link #lineBackends()} only). */
    public Backend a() {
        requireKind(false, "a()");
        if (a == null) {
            a = startBackend("a");
        }
        return a;
    }

    /** Slot b's backend ({@link #lineBackends()} only). */
    public Backend b() {
        requireKind(false, "b()");
        if (b == null) {
            b = startBackend("b");
        }
        return b;
    }

    /** Installs a version ({@link SlotInstall#serving}, ...) in a slot's folder ({@link #supervisedSlots()} only). */
    public void install(String slot, String version) {
        requireKind(true, "install()");
        try {
            if (installs == null) {
                installs = Files.createTempDirectory("holdport-installs-");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SlotInstall.install(installs.resolve(slot), version);
    }

    /** Starts holdport with an admin token; call it before anything else uses holdport. */
    public void startWithToken(String token) {
        if (holdport != null) {
            throw new IllegalStateException("holdport already runs (without a token)");
        }
        start(Optional.of(token));
    }

    /** A client of the admin API, without a token ({@link Api#withToken} makes one with). */
    public Api api() {
        if (api == null) {
            api = new Api(url());
        }
        return api;
    }

    /** The admin API's base URL (for {@code --admin}). */
    public String url() {
        return running().url();
    }

    /** The port route {@code web} (or another route) listens on. */
    public int port(String route) {
        return running().port(route);
    }

    public int adminPort() {
        return running().adminPort();
    }

    /** The pid of a supervised slot's process, if it runs. */
    public OptionalLong pid(String slot) {
        return running().pid(slot);
    }

    public HoldportProcess process() {
        return running().process();
    }

    /** Waits until route web answers {@code hello from <version>} ({@link SlotInstall#serving}). */
    public void awaitServing(String version) {
        int port = port("web");
        await().atMost(SERVING_WAIT).ignoreExceptions()
                .until(() -> HttpGet.once(port, 5_000).body().equals("hello from " + version + "\n"));
    }

    private RunningHoldport running() {
        return holdport == null ? start(Optional.empty()) : holdport;
    }

    private RunningHoldport start(Optional<String> token) {
        if (supervised && installs == null) {
            throw new IllegalStateException("install() the slots' versions before starting holdport");
        }
        try {
            holdport = supervised
                    ? RunningHoldport.supervisedWebRoute(installs, token)
                    : RunningHoldport.webRoute(a(), b(), token);
        } catch (Exception e) {
            throw new IllegalStateException("holdport did not start: " + e.getMessage(), e);
        }
        return holdport;
    }

    private static Backend startBackend(String name) {
        return Backend.start(Backend.namedEcho(name));
    }

    private void requireKind(boolean supervisedKind, String what) {
        if (supervised != supervisedKind) {
            throw new IllegalStateException(what + " is for a fixture with "
                    + (supervisedKind ? "supervised slots" : "line backends"));
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        try {
            if (holdport != null) {
                holdport.close();
            }
        } finally {
            if (a != null) {
                a.close();
            }
            if (b != null) {
                b.close();
            }
            if (installs != null) {
                RunningHoldport.deleteTree(installs);
            }
        }
    }
}
