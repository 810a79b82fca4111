package dev.holdport.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdport.config.HoldportConfig;
import dev.holdport.config.TransportChoice;
import dev.holdport.proxy.Proxy;
import dev.holdport.proxy.Route;
import dev.holdport.proxy.RouteStatus;
import dev.holdport.proxy.testing.TestConfigs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy's hook crash masking relies on to drop the ownership of a pause at once
 * ({@link Route#onStateChange}): it runs on the thread that changed the route, before that call
 * returns and before the state file records the change.
 */
class RouteStateChangeTest {

    @TempDir
    Path dir;

    @Test
    void aListenerSeesEachChangeBeforeTheCallReturnsAndBeforeTheStateFileHasIt() {
        Path stateFile = dir.resolve("state.properties");
        HoldportConfig config = TestConfigs.config(TransportChoice.AUTO, stateFile,
                TestConfigs.route("a", Map.of("a", 9, "b", 10)));
        try (Proxy proxy = Proxy.start(config)) {
            Route route = proxy.routes().get(0);
            List<String> seen = new ArrayList<>();
            Thread caller = Thread.currentThread();
            route.onStateChange(() -> {
                RouteStatus status = route.status();
                seen.add((Thread.currentThread() == caller ? "caller" : "other") + " paused=" + status.paused()
                        + " active=" + status.activeSlot() + " file:" + pausedLine(stateFile));
            });

            route.pause();
            assertThat(seen).containsExactly("caller paused=true active=a file:route.web.paused=false");
            route.switchTo("b");
            route.resume();
            route.pause();
            route.pause(); // already paused: no change, no call

            assertThat(seen).containsExactly(
                    "caller paused=true active=a file:route.web.paused=false",
                    "caller paused=true active=b file:route.web.paused=true",
                    "caller paused=false active=b file:route.web.paused=true",
                    "caller paused=true active=b file:route.web.paused=false");
        }
    }

    private static String pausedLine(Path stateFile) {
        try {
            return Files.readAllLines(stateFile).stream().filter(l -> l.startsWith("route.web.paused=")).findFirst()
                    .orElse("-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
