package dev.holdport.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The slot defaults offered to code that builds configs directly ({@link ReadySettings#defaults()},
 * {@code new SlotConfig(name, address, path)}) are reference.conf's, read here straight from the
 * file with Typesafe Config's own getters.
 */
class SlotDefaultsTest {

    private static final Config REFERENCE_SLOT_DEFAULTS =
            ConfigFactory.parseResources(SlotDefaultsTest.class.getClassLoader(), "reference.conf")
                    .getConfig("holdport.slot-defaults");

    @Test
    void readyDefaultsAreReferenceConfs() {
        Config ready = REFERENCE_SLOT_DEFAULTS.getConfig("ready");

        assertThat(ReadySettings.defaults()).isEqualTo(new ReadySettings(
                ReadyType.valueOf(ready.getString("type").toUpperCase(Locale.ROOT)),
                Optional.empty(),
                List.of(),
                ready.getDuration("interval"),
                ready.getDuration("timeout"),
                ready.getInt("successes")));
    }

    @Test
    void aSlotGivenOnlyAnAddressAndPathHasReferenceConfsSlotDefaults() {
        SlotConfig slot = new SlotConfig("a", new HostPort("127.0.0.1", 9001), "/opt/app/a");

        assertThat(REFERENCE_SLOT_DEFAULTS.hasPath("start")).as("reference.conf supervises nothing").isFalse();
        assertThat(slot.supervised()).isFalse();
        assertThat(REFERENCE_SLOT_DEFAULTS.getString("stop")).isEqualTo("signal");
        assertThat(slot.stopsBySignal()).isTrue();
        assertThat(slot.stopTimeout()).isEqualTo(REFERENCE_SLOT_DEFAULTS.getDuration("stop-timeout"));
        assertThat(slot.ready()).isEqualTo(ReadySettings.defaults());
        assertThat(slot.stopOnExit()).isEqualTo(REFERENCE_SLOT_DEFAULTS.getBoolean("stop-on-exit"));
    }

    @Test
    void aConfigFilesOwnSlotDefaultsLeaveReferenceConfsAlone() throws Exception {
        HoldportConfig config = ConfigLoader.parse("""
                holdport {
                  slot-defaults { stop-timeout = 3s, ready.interval = 1s }
                  routes.web {
                    listen = "127.0.0.1:8080"
                    slots.a.address = "127.0.0.1:9001"
                  }
                }
                """);

        assertThat(config.route("web").slot("a").stopTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(new SlotConfig("a", new HostPort("127.0.0.1", 9001), "").stopTimeout())
                .isEqualTo(REFERENCE_SLOT_DEFAULTS.getDuration("stop-timeout"));
        assertThat(ReadySettings.defaults().interval()).isEqualTo(REFERENCE_SLOT_DEFAULTS.getDuration("ready.interval"));
    }
}
