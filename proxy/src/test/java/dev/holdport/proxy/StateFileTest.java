package dev.holdport.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.holdport.config.HoldportConfig;
import dev.holdport.config.TransportChoice;
import dev.holdport.proxy.testing.Backend;
import dev.holdport.proxy.testing.Clients;
import dev.holdport.proxy.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The active slot and the paused flag survive a restart; a broken state file never stops a start. */
class StateFileTest {

    @TempDir
    Path dir;

    @Test
    void aRestartComesBackOnTheSlotTheOperatorSwitchedTo() throws Exception {
        try (Backend a = Backend.start(Backend.namedAnswer("a")); Backend b = Backend.start(Backend.namedAnswer("b"))) {
            HoldportConfig config = TestConfigs.config(TransportChoice.AUTO, dir.resolve("state.properties"),
                    TestConfigs.route("a", Map.of("a", a.port(), "b", b.port())));
            try (Proxy first = Proxy.start(config)) {
                first.switchTo("b");
            }
            assertThat(Files.readString(dir.resolve("state.properties"))).contains("route.web.active=b");
            try (Proxy second = Proxy.start(config)) { // the config still says active = a
                assertThat(second.status().get(0).activeSlot()).isEqualTo("b");
                assertThat(Clients.ask(second.routes().get(0).listenAddress(), "hi")).isEqualTo("b");
            }
        }
    }

    @Test
    void aPausedRouteStaysPausedAcrossARestart() {
        HoldportConfig config = TestConfigs.config(TransportChoice.AUTO, dir.resolve("state.properties"),
                TestConfigs.route("a", Map.of("a", 9, "b", 10)));
        try (Proxy first = Proxy.start(config)) {
            first.pause();
        }
        try (Proxy second = Proxy.start(config)) {
            assertThat(second.status().get(0).state()).isEqualTo(GateState.PAUSED);
        }
    }

    @Test
    void aCorruptStateFileIsReportedAndIgnored() throws Exception {
        Path state = dir.resolve("state.properties");
        Files.writeString(state, "this is not\u0000 what holdport wrote\nroute.web.active=\n");
        Logger logger = (Logger) LoggerFactory.getLogger(Proxy.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        try (Proxy proxy = Proxy.start(TestConfigs.config(TransportChoice.AUTO, state,
                TestConfigs.route("a", Map.of("a", 9, "b", 10))))) {
            assertThat(proxy.status().get(0).activeSlot()).isEqualTo("a");
            assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage)
                    .anyMatch(m -> m.contains("state file") && m.contains("unreadable") && m.contains("starting every route from the config"));
        } finally {
            logger.detachAppender(logs);
        }
        assertThat(Files.readString(state)).as("rewritten from the running state").contains("route.web.active=a");
    }

    @Test
    void aStateFileNamingARemovedSlotFallsBackToTheConfig() throws Exception {
        Path state = dir.resolve("state.properties");
        Files.writeString(state, "route.web.active=c\nroute.web.paused=false\n");
        try (Proxy proxy = Proxy.start(TestConfigs.config(TransportChoice.AUTO, state,
                TestConfigs.route("a", Map.of("a", 9, "b", 10))))) {
            assertThat(proxy.status().get(0).activeSlot()).isEqualTo("a");
        }
    }
}
