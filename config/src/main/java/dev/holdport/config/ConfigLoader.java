package dev.holdport.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns HOCON into a validated {@link HoldportConfig}: the user's config is merged over
 * {@code reference.conf} (the defaults), substitutions such as {@code ${?HOLDPORT_ADMIN_TOKEN}}
 * are resolved (against the config, then the environment), each route is merged over
 * {@code holdport.route-defaults}, and every value is checked. All problems are collected and
 * thrown together as one {@link InvalidConfigException}.
 */
public final class ConfigLoader {

    /** Route and slot names: they appear in URLs, metric labels and the state file. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9-]+");

    private ConfigLoader() {}

    /**
     * Loads a config file. As in any Typesafe Config application, JVM system properties
     * override the file ({@code -Dholdport.admin.listen=127.0.0.1:9999}). A relative
     * {@code state-file} is resolved against the file's directory.
     */
    public static HoldportConfig load(Path file) throws InvalidConfigException {
        if (!Files.exists(file)) {
            throw new InvalidConfigException(List.of(file + ": no such file"));
        }
        if (!Files.isRegularFile(file)) {
            throw new InvalidConfigException(List.of(file + ": is not a regular file"));
        }
        if (!Files.isReadable(file)) {
            throw new InvalidConfigException(List.of(file + ": cannot be read (permission denied)"));
        }
        Config withOverrides;
        try {
            Config parsed = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
            withOverrides = ConfigFactory.defaultOverrides().withFallback(parsed);
        } catch (ConfigException e) {
            throw new InvalidConfigException(List.of(e.getMessage()));
        }
        Path directory = file.toAbsolutePath().normalize().getParent();
        return fromConfig(withOverrides, directory);
    }

    /**
     * Parses config text (tests, the built-in demo). System properties do not apply; a
     * relative {@code state-file} is resolved against the working directory.
     */
    public static HoldportConfig parse(String hocon) throws InvalidConfigException {
        Config parsed;
        try {
            parsed = ConfigFactory.parseString(hocon);
        } catch (ConfigException e) {
            throw new InvalidConfigException(List.of(e.getMessage()));
        }
        return fromConfig(parsed);
    }

    /**
     * Validates an already parsed config, resolved or not (it is merged over the defaults and
     * resolved here). A relative {@code state-file} is resolved against the working directory.
     */
    public static HoldportConfig fromConfig(Config root) throws InvalidConfigException {
        return fromConfig(root, Path.of("").toAbsolutePath());
    }

    /**
     * The effective config as HOCON: every key, defaults applied, the admin token shown as
     * {@code "***"}. Parsing the text gives back an equal config (with that token).
     */
    public static String render(HoldportConfig config) {
        return EffectiveConfigRenderer.render(config);
    }

    private static HoldportConfig fromConfig(Config root, Path baseDirectory) throws InvalidConfigException {
        Config full;
        try {
            full = root.withFallback(ConfigFactory.defaultReferenceUnresolved(ConfigLoader.class.getClassLoader()))
                    .resolve();
        } catch (ConfigException e) {
            throw new InvalidConfigException(List.of(e.getMessage()));
        }
        // A set: a bad value in route-defaults is reported once, not once per route.
        Set<String> problems = new LinkedHashSet<>();
        ConfigValue top = full.root().get("holdport");
        if (top == null || top.valueType() != ConfigValueType.OBJECT) {
            throw new InvalidConfigException(List.of("holdport: is not an object"));
        }
        SectionReader holdport = SectionReader.of((ConfigObject) top, "holdport", problems);
        holdport.rejectUnknownKeys(ConfigKeys.HOLDPORT);

        TransportChoice transport = holdport.choice("transport", TransportChoice.values(), TransportChoice::configName);
        Integer eventLoopThreads = holdport.integer("event-loop-threads", 0);
        Integer maxClientConnections = holdport.integer("max-client-connections", 0);
        Path stateFile = null;
        Optional<Path> stateFileSetting = holdport.optionalPath("state-file");
        if (stateFileSetting.isPresent()) {
            stateFile = baseDirectory.resolve(stateFileSetting.get()).normalize();
        } else if (holdport.value("state-file").isEmpty()) {
            holdport.problem("state-file", "is missing");
        }
        Path stateDir = holdport.optionalPath("state-dir")
                .map(dir -> baseDirectory.resolve(dir).normalize())
                .orElse(null);
        Duration shutdownDrainTimeout = holdport.section("shutdown")
                .map(shutdown -> {
                    shutdown.rejectUnknownKeys(ConfigKeys.SHUTDOWN);
                    return shutdown.duration("drain-timeout", false);
                })
                .orElse(null);
        AdminConfig admin = holdport.section("admin").map(section -> readAdmin(section, baseDirectory)).orElse(null);
        List<RouteConfig> routes = readRoutes(holdport, problems);

        if (!problems.isEmpty()) {
            throw new InvalidConfigException(new ArrayList<>(problems));
        }
        return new HoldportConfig(transport, eventLoopThreads, admin, stateFile, shutdownDrainTimeout, routes, stateDir,
                maxClientConnections);
    }

    private static AdminConfig readAdmin(SectionReader admin, Path baseDirectory) {
        admin.rejectUnknownKeys(ConfigKeys.ADMIN);
        HostPort listen = admin.hostPort("listen", true);
        Optional<String> token = admin.optionalString("token");
        if (token.isPresent() && token.get().isBlank()) {
            // Most likely an empty HOLDPORT_ADMIN_TOKEN: refuse rather than run unprotected.
            admin.problem("token", "is empty (remove the key to run without a token)");
        } else if (token.isPresent() && (!token.get().equals(token.get().strip()) || token.get().chars().anyMatch(Character::isISOControl))) {
            // HTTP drops the spaces around a header value, so such a token could never match (a
            // stray space from an env file, say); a control character cannot be sent at all.
            admin.problem("token", "starts or ends with whitespace, or holds a control character: no client could send it");
        } else if (token.isPresent() && token.get().chars().anyMatch(c -> c > 0x7e)) {
            admin.problem("token", "holds a character outside printable ASCII: HTTP clients (curl, holdport's own) cannot send it");
        }
        if (listen != null && token.isEmpty() && !listen.isLoopback()) {
            // The API can stop all traffic: open to the network, it needs a token. Checked here,
            // not only when the API starts, so that check-config refuses what run would.
            admin.problem("listen", listen + " is not a loopback address; the admin API controls all traffic, so set"
                    + " holdport.admin.token (or HOLDPORT_ADMIN_TOKEN) before exposing it, or listen on 127.0.0.1");
        }
        // Relative, it is found where the state file is: beside the config, not in whatever
        // directory holdport was started from.
        Optional<Path> unixSocket = admin.optionalPath("unix-socket").map(socket -> baseDirectory.resolve(socket).normalize());
        return new AdminConfig(listen, token, unixSocket);
    }

    private static List<RouteConfig> readRoutes(SectionReader holdport, Set<String> problems) {
        Optional<SectionReader> defaultsSection = holdport.section("route-defaults");
        defaultsSection.ifPresent(defaults -> {
            defaults.rejectUnknownKeys(ConfigKeys.ROUTE_DEFAULTS);
            ConfigKeys.ROUTE_SECTIONS.forEach((name, keys) ->
                    defaults.section(name).ifPresent(section -> section.rejectUnknownKeys(keys)));
        });
        Optional<SectionReader> slotDefaults = holdport.section("slot-defaults");
        slotDefaults.ifPresent(defaults -> {
            defaults.rejectUnknownKeys(ConfigKeys.SLOT_DEFAULTS);
            defaults.section("ready").ifPresent(ready -> ready.rejectUnknownKeys(ConfigKeys.READY));
        });
        Optional<SectionReader> routesSection = holdport.section("routes");
        if (routesSection.isEmpty() || defaultsSection.isEmpty() || slotDefaults.isEmpty()) {
            return List.of();
        }
        SectionReader routesReader = routesSection.get();
        if (routesReader.keys().isEmpty()) {
            problems.add("holdport.routes: no routes configured (add one: holdport.routes.<name> { listen = ..., slots { ... } })");
            return List.of();
        }
        List<RouteConfig> routes = new ArrayList<>();
        for (String name : inConfigOrder(routesReader.object())) {
            String path = routesReader.path() + "." + name;
            if (!NAME.matcher(name).matches()) {
                problems.add(path + ": route name \"" + name + "\" must match [a-z0-9-]+ (lowercase letters, digits, '-')");
            }
            ConfigValue value = routesReader.object().get(name);
            if (value.valueType() != ConfigValueType.OBJECT) {
                problems.add(path + ": " + SectionReader.describe(value) + " is not an object (write " + name + " { ... })");
                continue;
            }
            SectionReader route = SectionReader.withFallback((ConfigObject) value, path,
                    defaultsSection.get().object(), defaultsSection.get().path(), problems);
            routes.add(readRoute(name, route, slotDefaults.get(), problems));
        }
        rejectSharedListenAddresses(routes, problems);
        return routes;
    }

    private static RouteConfig readRoute(String name, SectionReader route, SectionReader slotDefaults,
                                         Set<String> problems) {
        route.rejectUnknownKeys(ConfigKeys.ROUTE);
        HostPort listen = route.hostPort("listen", true);
        Integer backlog = route.integer("backlog", 1);
        Duration clientKeepalive = route.duration("client-keepalive", false);
        if (clientKeepalive != null && clientKeepalive.compareTo(RouteConfig.MAX_KEEPALIVE) > 0) {
            route.problem("client-keepalive", ConfigDurations.format(clientKeepalive)
                    + " is longer than TCP allows (at most 32767s); use 0 for no keepalive");
        } else if (clientKeepalive != null && !clientKeepalive.isZero() && clientKeepalive.toSeconds() < 1) {
            route.problem("client-keepalive", ConfigDurations.format(clientKeepalive)
                    + " is shorter than TCP allows (at least 1s); use 0 for no keepalive");
        } else if (clientKeepalive != null && clientKeepalive.getNano() != 0) {
            route.problem("client-keepalive", ConfigDurations.format(clientKeepalive)
                    + " is not a whole number of seconds (TCP keepalive counts in seconds)");
        }
        Map<String, SlotConfig> slots = readSlots(route, slotDefaults, problems);
        String active = readActive(route, slots);

        Map<String, SectionReader> sections = new LinkedHashMap<>();
        ConfigKeys.ROUTE_SECTIONS.forEach((sectionName, keys) -> route.section(sectionName).ifPresent(section -> {
            section.rejectUnknownKeys(keys);
            sections.put(sectionName, section);
        }));
        BackendSettings backend = null;
        if (sections.containsKey("backend")) {
            SectionReader s = sections.get("backend");
            backend = new BackendSettings(s.duration("connect-timeout", true), s.duration("retry-refused-for", false),
                    s.choice("proxy-protocol", ProxyProtocol.values(), ProxyProtocol::configName));
        }
        HoldSettings hold = null;
        if (sections.containsKey("hold")) {
            SectionReader s = sections.get("hold");
            hold = new HoldSettings(
                    orZero(s.integer("max-connections", 1)),
                    s.duration("timeout", false),
                    s.choice("on-timeout", OnHoldTimeout.values(), OnHoldTimeout::configName));
        }
        Duration pauseMaxDuration = Optional.ofNullable(sections.get("pause"))
                .map(s -> s.duration("max-duration", false)).orElse(null);
        Integer resumeMaxRate = Optional.ofNullable(sections.get("resume"))
                .map(s -> s.integer("max-rate", 0)).orElse(null);
        Duration drainTimeout = Optional.ofNullable(sections.get("drain"))
                .map(s -> s.duration("timeout", false)).orElse(null);

        return new RouteConfig(name, listen, orZero(backlog), clientKeepalive, slots, active, backend, hold,
                pauseMaxDuration, orZero(resumeMaxRate), drainTimeout);
    }

    private static Map<String, SlotConfig> readSlots(SectionReader route, SectionReader slotDefaults,
                                                     Set<String> problems) {
        Map<String, SlotConfig> slots = new LinkedHashMap<>();
        Optional<SectionReader> slotsSection = route.section("slots");
        if (slotsSection.isEmpty()) {
            return slots;
        }
        SectionReader slotsReader = slotsSection.get();
        if (slotsReader.keys().isEmpty()) {
            problems.add(slotsReader.path() + ": a route needs at least one slot (slots { a { address = \"127.0.0.1:9001\" } })");
            return slots;
        }
        for (String name : inConfigOrder(slotsReader.object())) {
            String path = slotsReader.path() + "." + name;
            if (!NAME.matcher(name).matches()) {
                problems.add(path + ": slot name \"" + name + "\" must match [a-z0-9-]+ (lowercase letters, digits, '-')");
            }
            ConfigValue value = slotsReader.object().get(name);
            if (value.valueType() != ConfigValueType.OBJECT) {
                problems.add(path + ": " + SectionReader.describe(value)
                        + " is not an object (write " + name + " { address = \"host:port\" })");
                continue;
            }
            SectionReader slot = SectionReader.withFallback((ConfigObject) value, path,
                    slotDefaults.object(), slotDefaults.path(), problems);
            slots.put(name, readSlot(name, slot));
        }
        return slots;
    }

    private static SlotConfig readSlot(String name, SectionReader slot) {
        slot.rejectUnknownKeys(ConfigKeys.SLOT);
        HostPort address = slot.hostPort("address", false);
        String installPath = slot.optionalString("path").orElse("");
        SlotKeys settings = readSlotDefaultKeys(slot);
        if (!settings.start().isEmpty() && installPath.isBlank()) {
            slot.problem("path", "is missing: a slot with a start command needs its install path (its commands run there)");
        }
        if (settings.start().isEmpty() && !settings.stop().isEmpty() && slot.isOwn("stop")) {
            slot.problem("stop", "is set but start is not (holdport only stops processes it can start again)");
        }
        return settings.slot(name, address, installPath);
    }

    /** The keys a slot may take from {@code slot-defaults}. */
    record SlotKeys(List<String> start, List<String> stop, Duration stopTimeout, ReadySettings ready, boolean stopOnExit) {
        SlotConfig slot(String name, HostPort address, String path) {
            return new SlotConfig(name, address, path, start, stop, stopTimeout, ready, stopOnExit);
        }
    }

    /** The keys a slot may take from {@code slot-defaults}: start, stop, stop-timeout, ready, stop-on-exit. */
    private static SlotKeys readSlotDefaultKeys(SectionReader slot) {
        List<String> start = slot.command("start").orElse(List.of());
        List<String> stop = readStop(slot);
        Duration stopTimeout = slot.duration("stop-timeout", true);
        ReadySettings ready = slot.section("ready").map(ConfigLoader::readReady).orElse(null);
        Boolean stopOnExit = slot.bool("stop-on-exit");
        return new SlotKeys(start, stop, stopTimeout, ready, stopOnExit != null && stopOnExit);
    }

    /**
     * {@code holdport.slot-defaults} of reference.conf alone (no user file, no system
     * properties), read by the same rules as any slot: the one source of the defaults that
     * {@link SlotConfig} and {@link ReadySettings} offer to code building configs directly.
     */
    static SlotKeys referenceSlotDefaults() {
        return ReferenceSlotDefaults.SLOT;
    }

    /** Read once, on first use. */
    private static final class ReferenceSlotDefaults {
        static final SlotKeys SLOT = read();

        private static SlotKeys read() {
            String path = "holdport.slot-defaults";
            ConfigObject defaults = ConfigFactory.defaultReferenceUnresolved(ConfigLoader.class.getClassLoader())
                    .getConfig(path).resolve().root();
            Set<String> problems = new LinkedHashSet<>();
            SlotKeys slot = readSlotDefaultKeys(SectionReader.of(defaults, path, problems));
            if (!problems.isEmpty()) {
                throw new IllegalStateException("reference.conf has bad slot defaults: " + problems);
            }
            return slot;
        }
    }

    /** {@code stop}: the word {@code signal} (empty list) or a command. */
    private static List<String> readStop(SectionReader slot) {
        Optional<ConfigValue> value = slot.value("stop");
        if (value.isEmpty()) {
            return List.of();
        }
        if (value.get().valueType() == ConfigValueType.STRING) {
            String word = ((String) value.get().unwrapped()).trim();
            if (!word.equals("signal")) {
                slot.problem("stop", SectionReader.describe(value.get())
                        + " is neither \"signal\" nor a command list (e.g. [\"./bin/stop\"])");
            }
            return List.of();
        }
        return slot.command("stop").orElse(List.of());
    }

    private static ReadySettings readReady(SectionReader ready) {
        ready.rejectUnknownKeys(ConfigKeys.READY);
        ReadyType type = ready.choice("type", ReadyType.values(), ReadyType::configName);
        Optional<String> url = ready.optionalString("url");
        Optional<List<String>> command = ready.command("command");
        Duration interval = ready.duration("interval", true);
        Duration timeout = ready.duration("timeout", true);
        Integer successes = ready.integer("successes", 1);
        if (type == ReadyType.HTTP) {
            if (url.isEmpty()) {
                ready.problem("url", "is missing (type = http needs the URL to GET, e.g. \"/healthz\" for that path"
                        + " on the slot's address, or \"http://127.0.0.1:9001/healthz\")");
            } else {
                checkReadyUrl(ready, url.get());
            }
        } else if (type != null && url.isPresent() && ready.isOwn("url")) {
            ready.problem("url", "is only used with type = http (type is " + type.configName() + ")");
        }
        if (type == ReadyType.EXEC) {
            if (command.isEmpty() && ready.value("command").isEmpty()) {
                ready.problem("command", "is missing (type = exec needs a command that exits 0 when the slot is ready)");
            }
        } else if (type != null && ready.isOwn("command")) {
            ready.problem("command", "is only used with type = exec (type is " + type.configName() + ")");
        }
        // Keep only what the type uses, so equal settings compare (and render) equal.
        return new ReadySettings(type,
                type == ReadyType.HTTP ? url : Optional.empty(),
                type == ReadyType.EXEC ? command.orElse(List.of()) : List.of(),
                interval, timeout, orZero(successes));
    }

    private static void checkReadyUrl(SectionReader ready, String url) {
        if (url.startsWith("/")) {
            return;
        }
        try {
            java.net.URI uri = new java.net.URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return;
            }
        } catch (java.net.URISyntaxException e) {
            // reported below
        }
        ready.problem("url", '"' + url + "\" is not an http:// or https:// URL, nor a path such as \"/healthz\"");
    }

    /** {@code active} names a slot; with a single slot it may be left out. */
    private static String readActive(SectionReader route, Map<String, SlotConfig> slots) {
        Optional<String> active = route.optionalString("active");
        String known = String.join(", ", slots.keySet());
        if (active.isEmpty()) {
            if (slots.size() == 1) {
                return slots.keySet().iterator().next();
            }
            if (slots.size() > 1 && route.value("active").isEmpty()) {
                route.problem("active", "is missing (required when a route has more than one slot; one of: " + known + ")");
            }
            return null;
        }
        if (!slots.isEmpty() && !slots.containsKey(active.get())) {
            route.problem("active", "unknown slot \"" + active.get() + "\" (known slots: " + known + ")");
            return null;
        }
        return active.get();
    }

    /**
     * Two routes cannot listen on the same port of the same address; a wildcard address
     * (0.0.0.0, ::) overlaps every address. Port 0 picks a free port and never clashes.
     */
    private static void rejectSharedListenAddresses(List<RouteConfig> routes, Set<String> problems) {
        for (int i = 0; i < routes.size(); i++) {
            HostPort listen = routes.get(i).listen();
            if (listen == null || listen.port() == 0) {
                continue;
            }
            for (int j = 0; j < i; j++) {
                HostPort earlier = routes.get(j).listen();
                if (earlier != null && earlier.port() == listen.port()
                        && (earlier.host().equals(listen.host()) || isWildcard(earlier.host()) || isWildcard(listen.host()))) {
                    problems.add("holdport.routes." + routes.get(i).name() + ".listen: \"" + listen
                            + "\" overlaps the listen address \"" + earlier + "\" of route " + routes.get(j).name());
                    break;
                }
            }
        }
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("*");
    }

    /**
     * HOCON objects are unordered; the order a user wrote routes and slots in is recovered
     * from where each was written (file, then line), name breaking ties.
     */
    private static List<String> inConfigOrder(ConfigObject object) {
        Comparator<String> byOrigin = Comparator
                .comparing((String key) -> Objects.toString(origin(object, key).filename(), ""))
                .thenComparingInt(key -> origin(object, key).lineNumber())
                .thenComparing(Comparator.naturalOrder());
        List<String> keys = new ArrayList<>(object.keySet());
        keys.sort(byOrigin);
        return keys;
    }

    private static ConfigOrigin origin(ConfigObject object, String key) {
        return object.get(key).origin();
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }
}
