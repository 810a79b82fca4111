package dev.holdport.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each invalid config names the full path of what is wrong and says what is wrong with it. */
class InvalidConfigTest {

    /** A valid route {@code web} with slots a and b; {@code extra} lines are added inside it (later keys win). */
    private static String web(String extra) {
        return """
                holdport.routes.web {
                  listen = "0.0.0.0:8080"
                  slots {
                    a { address = "127.0.0.1:9001" }
                    b { address = "127.0.0.1:9002" }
                  }
                  active = a
                """ + extra + "\n}\n";
    }

    static Stream<Arguments> invalidConfigs() {
        return Stream.of(
                // values
                bad(web("active = c"), "holdport.routes.web.active", "unknown slot \"c\" (known slots: a, b)"),
                bad(web("slots.b.address = \"9002x\""), "holdport.routes.web.slots.b.address", "\"9002x\" is not host:port"),
                bad(web("slots.b.address = \"::1:9002\""), "holdport.routes.web.slots.b.address", "write IPv6 hosts as [addr]:port"),
                bad(web("slots.a.address = \"127.0.0.1:0\""), "holdport.routes.web.slots.a.address", "port 0 is out of range 1-65535"),
                bad(web("slots.a.address = \"127.0.0.1:70000\""), "holdport.routes.web.slots.a.address", "port 70000 is out of range"),
                bad(web("listen = \"0.0.0.0:-1\""), "holdport.routes.web.listen", "port -1 is out of range"),
                bad(web("listen = \"0.0.0.0:65536\""), "holdport.routes.web.listen", "port 65536 is out of range"),
                bad(web("") + "holdport.routes.rpc { listen = \"0.0.0.0:8080\", slots.a.address = \"127.0.0.1:9101\" }",
                        "holdport.routes.rpc.listen", "\"0.0.0.0:8080\" overlaps the listen address \"0.0.0.0:8080\" of route web"),
                bad(web("") + "holdport.routes.rpc { listen = \"127.0.0.1:8080\", slots.a.address = \"127.0.0.1:9101\" }",
                        "holdport.routes.rpc.listen", "overlaps the listen address \"0.0.0.0:8080\" of route web"),
                bad(web("hold.timeout = -1s"), "holdport.routes.web.hold.timeout", "\"-1s\" must not be negative"),
                bad(web("drain.timeout = -5"), "holdport.routes.web.drain.timeout", "must not be negative"),
                bad(web("backend.connect-timeout = 0"), "holdport.routes.web.backend.connect-timeout", "must be greater than zero"),
                bad(web("backlog = 0"), "holdport.routes.web.backlog", "must be at least 1"),
                bad(web("client-keepalive = 10h"), "holdport.routes.web.client-keepalive", "10h is longer than TCP allows (at most 32767s)"),
                bad(web("client-keepalive = 500ms"), "holdport.routes.web.client-keepalive", "500ms is shorter than TCP allows (at least 1s)"),
                bad(web("client-keepalive = 1500ms"), "holdport.routes.web.client-keepalive", "1500ms is not a whole number of seconds"),
                bad(web("client-keepalive = -1s"), "holdport.routes.web.client-keepalive", "must not be negative"),
                bad(web("hold.max-connections = 0"), "holdport.routes.web.hold.max-connections", "must be at least 1"),
                bad(web("resume.max-rate = -10"), "holdport.routes.web.resume.max-rate", "must not be negative"),
                bad(web("") + "holdport.event-loop-threads = -1", "holdport.event-loop-threads", "must not be negative"),
                bad(web("") + "holdport.max-client-connections = -5", "holdport.max-client-connections", "must not be negative"),
                bad(web("") + "holdport.max-client-connections = many", "holdport.max-client-connections", "\"many\" is not a number"),
                bad(web("pause.max-duration = forever"), "holdport.routes.web.pause.max-duration", "\"forever\" is not a duration"),
                bad(web("") + "holdport.shutdown.drain-timeout = [1, 2]", "holdport.shutdown.drain-timeout", "a list is not a duration"),
                bad(web("backlog = lots"), "holdport.routes.web.backlog", "\"lots\" is not a number"),
                bad(web("backlog = 1.5"), "holdport.routes.web.backlog", "1.5 is not a whole number"),
                bad(web("backlog = 3000000000"), "holdport.routes.web.backlog", "is too large"),
                bad(web("hold.on-timeout = drop"), "holdport.routes.web.hold.on-timeout", "\"drop\" is not one of close, forward"),
                bad(web("backend.proxy-protocol = v3"), "holdport.routes.web.backend.proxy-protocol", "\"v3\" is not one of off, v1, v2"),
                bad(web("") + "holdport.transport = epoll", "holdport.transport", "\"epoll\" is not one of auto, io_uring, nio"),
                bad(web("") + "holdport.transport { a = 1 }", "holdport.transport", "an object is not a string"),
                bad(web("") + "holdport.admin.listen = localhost", "holdport.admin.listen", "\"localhost\" is not host:port"),
                bad(web("") + "holdport.admin.token = \"\"", "holdport.admin.token", "is empty"),
                bad(web("") + "holdport.admin.listen = \"0.0.0.0:9900\"", "holdport.admin.listen",
                        "0.0.0.0:9900 is not a loopback address; the admin API controls all traffic, so set holdport.admin.token"),
                bad(web("") + "holdport.admin.listen = \"[::]:9900\"", "holdport.admin.listen", "[::]:9900 is not a loopback address"),
                bad(web("") + "holdport.admin.token = \"s3cret \"", "holdport.admin.token", "starts or ends with whitespace"),
                bad(web("") + "holdport.admin.token = \"s3cr\u00e9t\"", "holdport.admin.token", "outside printable ASCII"),
                bad(web("hold = 5"), "holdport.routes.web.hold", "5 is not an object"),
                // required keys and structure
                bad("holdport.routes.web.slots.a.address = \"127.0.0.1:9001\"", "holdport.routes.web.listen", "is missing"),
                bad(web("slots.c { path = /opt/c }"), "holdport.routes.web.slots.c.address", "is missing"),
                bad("holdport.routes.web { listen = \"0.0.0.0:8080\"\n slots { a.address = \"127.0.0.1:9001\"\n b.address = \"127.0.0.1:9002\" } }",
                        "holdport.routes.web.active", "is missing (required when a route has more than one slot; one of: a, b)"),
                bad("holdport.routes.web { listen = \"0.0.0.0:8080\", slots {} }", "holdport.routes.web.slots", "a route needs at least one slot"),
                bad("holdport.routes.web { listen = \"0.0.0.0:8080\" }", "holdport.routes.web.slots", "a route needs at least one slot"),
                bad("holdport.routes.web = \"0.0.0.0:8080\"", "holdport.routes.web", "is not an object"),
                bad("holdport.routes {}", "holdport.routes", "no routes configured"),
                bad("holdport.admin.listen = \"127.0.0.1:9900\"", "holdport.routes", "no routes configured"),
                bad("holdport = 5", "holdport", "is not an object"),
                // names
                bad(web("").replace("routes.web", "routes.Web"), "holdport.routes.Web", "route name \"Web\" must match [a-z0-9-]+"),
                bad(web("slots.B_1.address = \"127.0.0.1:9003\""), "holdport.routes.web.slots.B_1", "slot name \"B_1\" must match [a-z0-9-]+"),
                // unknown keys, with the closest known key as a hint
                bad(web("slot.c.address = \"127.0.0.1:9003\""), "holdport.routes.web.slot", "unknown key (did you mean \"slots\"?)"),
                bad(web("slots.a.adress = \"127.0.0.1:9001\""), "holdport.routes.web.slots.a.adress", "did you mean \"address\"?"),
                bad(web("hold.timout = 5s"), "holdport.routes.web.hold.timout", "did you mean \"timeout\"?"),
                bad(web("backend.connect-timeot = 1s"), "holdport.routes.web.backend.connect-timeot", "did you mean \"connect-timeout\"?"),
                bad(web("colour = blue"), "holdport.routes.web.colour", "unknown key (known keys: listen, slots, active, backlog"),
                bad(web("") + "holdport.trasnport = nio", "holdport.trasnport", "did you mean \"transport\"?"),
                bad(web("") + "holdport.admin.tokn = x", "holdport.admin.tokn", "did you mean \"token\"?"),
                bad(web("") + "holdport.shutdown.drain = 5s", "holdport.shutdown.drain", "did you mean \"drain-timeout\"?"),
                bad(web("") + "holdport.route-defaults.backlogg = 5", "holdport.route-defaults.backlogg", "did you mean \"backlog\"?"),
                bad(web("") + "holdport.route-defaults.listen = \"0.0.0.0:1\"", "holdport.route-defaults.listen", "unknown key"),
                bad(web("") + "holdport.route-defaults.hold.max-conections = 5", "holdport.route-defaults.hold.max-conections",
                        "did you mean \"max-connections\"?"),
                // supervised slots
                bad(web("slots.a { path = /opt/a, start = \"./server --port 9001\" }"), "holdport.routes.web.slots.a.start",
                        "\"./server --port 9001\" is a string; write the command as a list"),
                bad(web("slots.a { path = /opt/a, start = [] }"), "holdport.routes.web.slots.a.start", "is an empty list"),
                bad(web("slots.a { path = /opt/a, start = [\"\", x] }"), "holdport.routes.web.slots.a.start", "the program (first element) is empty"),
                bad(web("slots.a { path = /opt/a, start = [./s, [1]] }"), "holdport.routes.web.slots.a.start", "element 1 (a list) is not a string"),
                bad(web("slots.a { path = /opt/a, start = { cmd = x } }"), "holdport.routes.web.slots.a.start", "an object is not a list of strings"),
                bad(web("slots.a.start = [./server]"), "holdport.routes.web.slots.a.path", "is missing: a slot with a start command needs its install path"),
                bad(web("slots.a { path = /opt/a, start = [./s], stop = kill }"), "holdport.routes.web.slots.a.stop",
                        "\"kill\" is neither \"signal\" nor a command list"),
                bad(web("slots.a.stop = [./stop]"), "holdport.routes.web.slots.a.stop", "is set but start is not"),
                bad(web("slots.a.stop-timeout = 0"), "holdport.routes.web.slots.a.stop-timeout", "must be greater than zero"),
                bad(web("slots.a.stop-on-exit = sometimes"), "holdport.routes.web.slots.a.stop-on-exit", "\"sometimes\" is not true or false"),
                bad(web("slots.a.ready.type = grpc"), "holdport.routes.web.slots.a.ready.type", "\"grpc\" is not one of tcp, http, exec"),
                bad(web("slots.a.ready.type = http"), "holdport.routes.web.slots.a.ready.url", "is missing (type = http needs the URL"),
                bad(web("slots.a.ready { type = http, url = \"ftp://host/x\" }"), "holdport.routes.web.slots.a.ready.url",
                        "\"ftp://host/x\" is not an http:// or https:// URL"),
                bad(web("slots.a.ready { type = http, url = healthz }"), "holdport.routes.web.slots.a.ready.url", "nor a path such as"),
                bad(web("slots.a.ready.url = \"/healthz\""), "holdport.routes.web.slots.a.ready.url", "is only used with type = http (type is tcp)"),
                bad(web("slots.a.ready.type = exec"), "holdport.routes.web.slots.a.ready.command", "is missing (type = exec needs a command"),
                bad(web("slots.a.ready { type = http, url = \"/h\", command = [x] }"), "holdport.routes.web.slots.a.ready.command",
                        "is only used with type = exec (type is http)"),
                bad(web("slots.a.ready.interval = 0"), "holdport.routes.web.slots.a.ready.interval", "must be greater than zero"),
                bad(web("slots.a.ready.timeout = soon"), "holdport.routes.web.slots.a.ready.timeout", "\"soon\" is not a duration"),
                bad(web("slots.a.ready.successes = 0"), "holdport.routes.web.slots.a.ready.successes", "must be at least 1"),
                bad(web("slots.a.ready = tcp"), "holdport.routes.web.slots.a.ready", "\"tcp\" is not an object"),
                bad(web("slots.a.ready.tipe = tcp"), "holdport.routes.web.slots.a.ready.tipe", "did you mean \"type\"?"),
                bad(web("slots.a.strat = [./s]"), "holdport.routes.web.slots.a.strat", "did you mean \"start\"?"),
                bad(web("slots.a.stop-timout = 5s"), "holdport.routes.web.slots.a.stop-timout", "did you mean \"stop-timeout\"?"),
                bad(web("") + "holdport.slot-defaults.stop-timeout = -1s", "holdport.slot-defaults.stop-timeout", "must not be negative"),
                bad(web("") + "holdport.slot-defaults.address = \"127.0.0.1:1\"", "holdport.slot-defaults.address", "unknown key"),
                bad(web("") + "holdport.slot-defaults.ready.intervall = 1s", "holdport.slot-defaults.ready.intervall",
                        "did you mean \"interval\"?"),
                bad(web("") + "holdport.state-dir = \"\"", "holdport.state-dir", "is empty"),
                // syntax errors name the line
                bad("holdport {\n  routes {\n", "String: 3", "end of file"));
    }

    @ParameterizedTest(name = "[{index}] {1}: {2}")
    @MethodSource("invalidConfigs")
    void namesThePathAndTheProblem(String hocon, String path, String problem) {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> ConfigLoader.parse(hocon));

        assertThat(e).as("config should be refused:\n%s", hocon).isNotNull();
        assertThat(e.problems()).anySatisfy(p -> assertThat(p)
                .startsWith(path + ": ")
                .containsIgnoringCase(problem));
    }

    private static Arguments bad(String hocon, String path, String problem) {
        return Arguments.of(hocon, path, problem);
    }
}
