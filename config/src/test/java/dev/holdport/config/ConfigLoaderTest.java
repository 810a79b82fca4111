package dev.holdport.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.typesafe.config.ConfigFactory;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static final String ONE_ROUTE = """
            holdport.routes.web {
              listen = "0.0.0.0:8080"
              slots.a.address = "127.0.0.1:9001"
            }
            """;

    @Test
    void appliesEveryDefault() throws Exception {
        HoldportConfig config = ConfigLoader.parse(ONE_ROUTE);

        assertThat(config.transport()).isEqualTo(TransportChoice.AUTO);
        assertThat(config.eventLoopThreads()).isZero();
        assertThat(config.stateFile()).isEqualTo(Path.of("holdport-state.properties").toAbsolutePath());
        assertThat(config.stateDir()).as("the state file's directory").isEqualTo(Path.of("").toAbsolutePath());
        assertThat(config.shutdownDrainTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.maxClientConnections()).as("derived from the open-file limit").isZero();
        assertThat(config.admin().listen()).isEqualTo(new HostPort("127.0.0.1", 9900));
        assertThat(config.admin().unixSocket()).isEmpty();

        RouteConfig web = config.route("web");
        assertThat(web.listen()).isEqualTo(new HostPort("0.0.0.0", 8080));
        assertThat(web.backlog()).isEqualTo(1024);
        assertThat(web.clientKeepalive()).isEqualTo(Duration.ofMinutes(2));
        assertThat(web.slots()).containsOnlyKeys("a");
        assertThat(web.slot("a")).isEqualTo(new SlotConfig("a", new HostPort("127.0.0.1", 9001), ""));
        assertThat(web.active()).as("the only slot is active by default").isEqualTo("a");
        assertThat(web.backend()).isEqualTo(new BackendSettings(Duration.ofSeconds(5), Duration.ofSeconds(10)));
        assertThat(web.hold()).isEqualTo(new HoldSettings(100_000, Duration.ofSeconds(60), OnHoldTimeout.CLOSE));
        assertThat(web.pauseMaxDuration()).isEqualTo(Duration.ofMinutes(5));
        assertThat(web.resumeMaxRate()).isZero();
        assertThat(web.drainTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aRouteOverridesADefaultAndRouteDefaultsApplyToEveryRoute() throws Exception {
        HoldportConfig config = ConfigLoader.parse("""
                holdport {
                  route-defaults.hold.timeout = 90s
                  route-defaults.client-keepalive = 0
                  routes {
                    web {
                      listen = "0.0.0.0:8080"
                      slots.a.address = "127.0.0.1:9001"
                      hold { on-timeout = forward, timeout = 0 }
                      backlog = 50
                      client-keepalive = 45s
                    }
                    rpc {
                      listen = "0.0.0.0:8081"
                      slots.a.address = "127.0.0.1:9101"
                    }
                  }
                }
                """);

        RouteConfig web = config.route("web");
        assertThat(web.hold()).isEqualTo(new HoldSettings(100_000, Duration.ZERO, OnHoldTimeout.FORWARD));
        assertThat(web.backlog()).isEqualTo(50);
        assertThat(web.clientKeepalive()).isEqualTo(Duration.ofSeconds(45));
        RouteConfig rpc = config.route("rpc");
        assertThat(rpc.hold()).isEqualTo(new HoldSettings(100_000, Duration.ofSeconds(90), OnHoldTimeout.CLOSE));
        assertThat(rpc.backlog()).isEqualTo(1024);
        assertThat(rpc.clientKeepalive()).as("off for every route by route-defaults").isZero();
    }

    @Test
    void keepsRoutesAndSlotsInTheOrderWritten() throws Exception {
        HoldportConfig config = ConfigLoader.parse("""
                holdport.routes {
                  zeta {
                    listen = "127.0.0.1:0"
                    active = b
                    slots {
                      b.address = "127.0.0.1:9002"
                      a.address = "127.0.0.1:9001"
                    }
                  }
                  alpha { listen = "127.0.0.1:0", slots.x.address = "127.0.0.1:9003" }
                }
                """);

        assertThat(config.routes()).extracting(RouteConfig::name).containsExactly("zeta", "alpha");
        assertThat(config.route("zeta").slots().keySet()).containsExactly("b", "a");
    }

    @Test
    void substitutionsComeFromTheGivenConfigOrTheEnvironment() throws Exception {
        // ConfigFactory.parseMap stands in for the environment: ${?VAR} looks in the config first.
        var environment = ConfigFactory.parseMap(Map.of(
                "HOLDPORT_ADMIN_TOKEN", "s3cret",
                "WEB_MAX_RATE", "250"));
        var file = ConfigFactory.parseString(ONE_ROUTE + """
                holdport.routes.web.resume.max-rate = ${?WEB_MAX_RATE}
                holdport.routes.web.pause.max-duration = ${?UNSET_VARIABLE_FOR_TEST}
                """);

        HoldportConfig config = ConfigLoader.fromConfig(environment.withFallback(file));

        assertThat(config.admin().token()).contains("s3cret");
        assertThat(config.route("web").resumeMaxRate()).isEqualTo(250);
        assertThat(config.route("web").pauseMaxDuration()).as("unset: the default stays").isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void systemPropertiesOverrideALoadedFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("holdport.conf"), ONE_ROUTE + """
                holdport.admin.token = ${?holdport-test-token}
                """);
        System.setProperty("holdport-test-token", "from-property");
        System.setProperty("holdport.routes.web.backlog", "77");
        ConfigFactory.invalidateCaches();
        try {
            HoldportConfig config = ConfigLoader.load(file);

            assertThat(config.admin().token()).contains("from-property");
            assertThat(config.route("web").backlog()).isEqualTo(77);
        } finally {
            System.clearProperty("holdport-test-token");
            System.clearProperty("holdport.routes.web.backlog");
            ConfigFactory.invalidateCaches();
        }
    }

    @Test
    void resolvesARelativeStateFileAgainstTheConfigFilesDirectory(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("holdport.conf"), ONE_ROUTE + """
                holdport.state-file = "state/routes.properties"
                """);

        assertThat(ConfigLoader.load(file).stateFile())
                .isEqualTo(dir.toAbsolutePath().resolve("state/routes.properties").normalize());
        assertThat(ConfigLoader.parse(ONE_ROUTE + "holdport.state-file = /var/lib/holdport/state\n").stateFile())
                .isEqualTo(Path.of("/var/lib/holdport/state"));
    }

    @Test
    void resolvesARelativeAdminSocketAgainstTheConfigFilesDirectory(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("holdport.conf"), ONE_ROUTE + """
                holdport.admin.unix-socket = "run/admin.sock"
                """);

        assertThat(ConfigLoader.load(file).admin().unixSocket())
                .contains(dir.toAbsolutePath().resolve("run/admin.sock").normalize());
    }

    @Test
    void anAdminAddressOnLoopbackNeedsNoToken() throws Exception {
        for (String listen : List.of("127.0.0.1:9900", "127.0.0.2:9900", "localhost:9900", "[::1]:9900")) {
            HoldportConfig config = ConfigLoader.parse(ONE_ROUTE + "holdport.admin.listen = \"" + listen + "\"\n");
            assertThat(config.admin().token()).as(listen).isEmpty();
            assertThat(config.admin().listen()).as(listen).isEqualTo(HostPort.parse(listen));
        }
        assertThat(ConfigLoader.parse(ONE_ROUTE + "holdport.admin { listen = \"0.0.0.0:9900\", token = s3cret }\n")
                .admin().listen()).isEqualTo(HostPort.parse("0.0.0.0:9900"));
    }

    @Test
    void loadsTheReadmeExample() throws Exception {
        HoldportConfig config = ConfigLoader.load(resource("example.conf"));

        RouteConfig web = config.route("web");
        assertThat(web.listen()).isEqualTo(new HostPort("0.0.0.0", 8080));
        assertThat(web.slots().values()).containsExactly(
                new SlotConfig("a", new HostPort("127.0.0.1", 9001), "/opt/app/a"),
                new SlotConfig("b", new HostPort("127.0.0.1", 9002), "/opt/app/b"));
        assertThat(web.active()).isEqualTo("a");
        assertThat(web.hold().timeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.admin().listen()).isEqualTo(new HostPort("127.0.0.1", 9900));
    }

    @Test
    void readsASupervisedSlot() throws Exception {
        HoldportConfig config = ConfigLoader.parse("""
                holdport.routes.web {
                  listen = "0.0.0.0:8080"
                  active = a
                  slots {
                    a {
                      address = "127.0.0.1:9001"
                      path = /opt/app/a
                      start = ["./bin/server", "--port", 9001]
                      stop = ["./bin/stop", "--graceful"]
                      stop-timeout = 20s
                      ready { type = http, url = "/healthz", interval = 1s, timeout = 2m, successes = 3 }
                      stop-on-exit = true
                    }
                    b {
                      address = "127.0.0.1:9002"
                      path = /opt/app/b
                      start = ["./bin/server"]
                      ready { type = exec, command = ["./bin/check", "ready"] }
                    }
                    c.address = "127.0.0.1:9003"
                  }
                }
                """);

        RouteConfig web = config.route("web");
        assertThat(web.slot("a")).isEqualTo(new SlotConfig("a", new HostPort("127.0.0.1", 9001), "/opt/app/a",
                List.of("./bin/server", "--port", "9001"), List.of("./bin/stop", "--graceful"), Duration.ofSeconds(20),
                new ReadySettings(ReadyType.HTTP, Optional.of("/healthz"), List.of(), Duration.ofSeconds(1), Duration.ofMinutes(2), 3),
                true));
        assertThat(web.slot("b")).isEqualTo(new SlotConfig("b", new HostPort("127.0.0.1", 9002), "/opt/app/b",
                List.of("./bin/server"), List.of(), Duration.ofSeconds(10),
                new ReadySettings(ReadyType.EXEC, Optional.empty(), List.of("./bin/check", "ready"),
                        Duration.ofMillis(200), Duration.ofSeconds(60), 1),
                false));
        assertThat(web.slot("b").supervised()).isTrue();
        assertThat(web.slot("b").stopsBySignal()).isTrue();
        assertThat(web.slot("c").supervised()).as("no start command: only an address").isFalse();
        assertThat(web.slot("c")).isEqualTo(new SlotConfig("c", new HostPort("127.0.0.1", 9003), ""));
    }

    @Test
    void slotDefaultsApplyToEverySlotAndASlotOverridesThem() throws Exception {
        HoldportConfig config = ConfigLoader.parse("""
                holdport {
                  slot-defaults {
                    start = ["./run"]
                    stop-timeout = 3s
                    ready { type = http, url = "/up", timeout = 15s }
                  }
                  routes.web {
                    listen = "0.0.0.0:8080"
                    active = a
                    slots {
                      a { address = "127.0.0.1:9001", path = /opt/a }
                      b { address = "127.0.0.1:9002", path = /opt/b, ready.type = tcp, stop-timeout = 1s }
                    }
                  }
                }
                """);

        SlotConfig a = config.route("web").slot("a");
        assertThat(a.start()).containsExactly("./run");
        assertThat(a.stopTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(a.ready()).isEqualTo(new ReadySettings(ReadyType.HTTP, Optional.of("/up"), List.of(),
                Duration.ofMillis(200), Duration.ofSeconds(15), 1));
        SlotConfig b = config.route("web").slot("b");
        assertThat(b.stopTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(b.ready()).as("a default url is dropped, not an error, when the slot's type does not use it")
                .isEqualTo(new ReadySettings(ReadyType.TCP, Optional.empty(), List.of(), Duration.ofMillis(200), Duration.ofSeconds(15), 1));
    }

    @Test
    void resolvesARelativeStateDirAgainstTheConfigFilesDirectory(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("holdport.conf"), ONE_ROUTE + """
                holdport.state-file = "/var/lib/holdport/state.properties"
                holdport.state-dir = "run/holdport"
                """);

        assertThat(ConfigLoader.load(file).stateDir()).isEqualTo(dir.toAbsolutePath().resolve("run/holdport").normalize());
        assertThat(ConfigLoader.parse(ONE_ROUTE + "holdport.state-file = /var/lib/holdport/state\n").stateDir())
                .isEqualTo(Path.of("/var/lib/holdport"));
    }

    @Test
    void renderedSupervisedSlotsParseBackToAnEqualConfig() throws Exception {
        HoldportConfig config = ConfigLoader.parse("""
                holdport.state-dir = "/tmp/holdport state"
                holdport.routes.web {
                  listen = "0.0.0.0:8080"
                  active = a
                  slots {
                    a { address = "127.0.0.1:9001", path = /opt/a, start = ["./s", "a b", "\\"q\\""], stop = ["./stop"], stop-on-exit = true }
                    b { address = "127.0.0.1:9002", path = /opt/b, start = ["./s"], ready { type = exec, command = ["./c"], successes = 2 } }
                    c { address = "127.0.0.1:9003", ready { type = http, url = "https://example.org/x?y=1", interval = 1500ms } }
                  }
                }
                """);

        String rendered = ConfigLoader.render(config);

        assertThat(rendered).contains("stop = signal", "start = [\"./s\", \"a b\"", "state-dir = \"/tmp/holdport state\"");
        if (config.admin().token().isEmpty()) {
            assertThat(ConfigLoader.parse(rendered)).isEqualTo(config);
        }
    }

    @Test
    void renderedConfigParsesBackToAnEqualConfig() throws Exception {
        HoldportConfig config = ConfigLoader.parse("""
                holdport {
                  transport = nio
                  event-loop-threads = 3
                  max-client-connections = 40000
                  state-file = "/tmp/a dir/state.properties"
                  shutdown.drain-timeout = 1500ms
                  admin { listen = "[::1]:0", token = "s3cret", unix-socket = "/run/holdport/admin.sock" }
                  routes {
                    web {
                      listen = "0.0.0.0:8080"
                      backlog = 10
                      slots {
                        a { address = "127.0.0.1:9001", path = "/opt/app/a" }
                        b { address = "backend.internal:9002", path = "/opt/app \\"b\\"" }
                      }
                      active = b
                      backend { connect-timeout = 250ms, retry-refused-for = 0, proxy-protocol = v2 }
                      hold { max-connections = 5, timeout = 90s, on-timeout = forward }
                      pause.max-duration = 2h
                      resume.max-rate = 100
                      drain.timeout = 0
                    }
                    "2nd" { listen = "127.0.0.1:0", slots.only.address = "127.0.0.1:9003" }
                  }
                }
                """);

        assertThat(config.routes().get(0).backend())
                .isEqualTo(new BackendSettings(Duration.ofMillis(250), Duration.ZERO, ProxyProtocol.V2));
        assertThat(config.maxClientConnections()).isEqualTo(40_000);
        String rendered = ConfigLoader.render(config);

        assertThat(rendered).contains("token = \"***\"").doesNotContain("s3cret");
        AdminConfig masked = new AdminConfig(config.admin().listen(), Optional.of("***"), config.admin().unixSocket());
        HoldportConfig expected = new HoldportConfig(config.transport(), config.eventLoopThreads(), masked,
                config.stateFile(), config.shutdownDrainTimeout(), config.routes(), null, config.maxClientConnections());
        assertThat(ConfigLoader.parse(rendered)).isEqualTo(expected);
    }

    @Test
    void renderedDefaultsParseBackToTheSameConfig() throws Exception {
        HoldportConfig config = ConfigLoader.parse(ONE_ROUTE);
        String rendered = ConfigLoader.render(config);

        assertThat(rendered).contains("connect-timeout = 5s", "max-duration = 5m", "backlog = 1024");
        if (config.admin().token().isEmpty()) {
            assertThat(ConfigLoader.parse(rendered)).isEqualTo(config);
        }
    }

    @Test
    void rendersDurationsInTheirLargestExactUnit() {
        assertThat(ConfigDurations.format(Duration.ZERO)).isEqualTo("0s");
        assertThat(ConfigDurations.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(ConfigDurations.format(Duration.ofSeconds(300))).isEqualTo("5m");
        assertThat(ConfigDurations.format(Duration.ofDays(2))).isEqualTo("2d");
        assertThat(ConfigDurations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(ConfigDurations.format(Duration.ofNanos(7))).isEqualTo("7ns");
    }

    @Test
    void reportsAMissingFileWithoutAStackTrace(@TempDir Path dir) {
        Path missing = dir.resolve("nope.conf");

        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> ConfigLoader.load(missing));

        assertThat(e.problems()).containsExactly(missing + ": no such file");
    }

    @Test
    void reportsASyntaxErrorWithFileAndLine(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("broken.conf"), "holdport {\n  routes {\n    web { listen = \n}\n");

        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> ConfigLoader.load(file));

        assertThat(e.problems()).hasSize(1);
        assertThat(e.problems().get(0)).contains("broken.conf: 4");
    }

    @Test
    void reportsAnUnresolvedSubstitutionWithItsLine() {
        assertThatThrownBy(() -> ConfigLoader.parse(ONE_ROUTE + "holdport.admin.token = ${NOT_SET_ANYWHERE_42}\n"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("String: 5")
                .hasMessageContaining("NOT_SET_ANYWHERE_42");
    }

    @Test
    void collectsEveryProblemOfAFileAtOnce() {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> ConfigLoader.parse("""
                holdport {
                  transport = epoll
                  routes.web {
                    listen = "0.0.0.0:80800"
                    slots { a.address = "127.0.0.1:9001", b.address = "9002x" }
                    active = c
                  }
                }
                """));

        assertThat(e.problems()).containsExactly(
                "holdport.transport: \"epoll\" is not one of auto, io_uring, nio",
                "holdport.routes.web.listen: \"0.0.0.0:80800\": port 80800 is out of range 0-65535",
                "holdport.routes.web.slots.b.address: \"9002x\" is not host:port",
                "holdport.routes.web.active: unknown slot \"c\" (known slots: a, b)");
        assertThat(e.getMessage()).isEqualTo(String.join("\n", e.problems()));
    }

    @Test
    void reportsABadRouteDefaultOnceWhereItIsWritten() {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> ConfigLoader.parse("""
                holdport.route-defaults.hold.timeout = soon
                holdport.routes {
                  web { listen = "0.0.0.0:8080", slots.a.address = "127.0.0.1:9001" }
                  rpc { listen = "0.0.0.0:8081", slots.a.address = "127.0.0.1:9002" }
                }
                """));

        assertThat(e.problems()).containsExactly(
                "holdport.route-defaults.hold.timeout: \"soon\" is not a duration (e.g. 500ms, 30s, 5m)");
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(ConfigLoaderTest.class.getResource("/" + name).toURI());
    }
}
