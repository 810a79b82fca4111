package dev.holdport.config;

import com.typesafe.config.ConfigUtil;
import java.time.Duration;

/**
 * Writes a {@link HoldportConfig} back as HOCON, every key spelled out with its effective
 * value, for {@code holdport check-config}. The admin token is masked. The output parses back
 * (through {@link ConfigLoader#parse}) to an equal config.
 */
final class EffectiveConfigRenderer {

    static final String MASKED_TOKEN = "***";

    private final StringBuilder out = new StringBuilder();
    private int depth;

    private EffectiveConfigRenderer() {}

    static String render(HoldportConfig config) {
        EffectiveConfigRenderer r = new EffectiveConfigRenderer();
        r.out.append("# holdport effective configuration: defaults applied, admin token masked\n");
        r.open("holdport");
        r.entry("transport", config.transport().configName());
        r.entry("event-loop-threads", Integer.toString(config.eventLoopThreads()));
        r.entry("max-client-connections", Integer.toString(config.maxClientConnections()));
        r.entry("state-file", quote(config.stateFile().toString()));
        r.entry("state-dir", quote(config.stateDir().toString()));
        r.open("shutdown");
        r.entry("drain-timeout", ConfigDurations.format(config.shutdownDrainTimeout()));
        r.close();
        r.open("admin");
        AdminConfig admin = config.admin();
        r.entry("listen", quote(admin.listen().toString()));
        if (admin.token().isPresent()) {
            r.entry("token", quote(MASKED_TOKEN));
        } else {
            r.line("# token: not set");
        }
        admin.unixSocket().ifPresentOrElse(
                socket -> r.entry("unix-socket", quote(socket.toString())),
                () -> r.line("# unix-socket: not set"));
        r.close();
        r.open("routes");
        for (RouteConfig route : config.routes()) {
            r.route(route);
        }
        r.close();
        r.close();
        return r.out.toString();
    }

    private void route(RouteConfig route) {
        open(key(route.name()));
        entry("listen", quote(route.listen().toString()));
        entry("backlog", Integer.toString(route.backlog()));
        entry("client-keepalive", ConfigDurations.format(route.clientKeepalive()));
        entry("active", quote(route.active()));
        open("slots");
        for (SlotConfig slot : route.slots().values()) {
            open(key(slot.name()));
            entry("address", quote(slot.address().toString()));
            entry("path", quote(slot.path()));
            slot(slot);
            close();
        }
        close();
        open("backend");
        entry("connect-timeout", ConfigDurations.format(route.backend().connectTimeout()));
        entry("retry-refused-for", ConfigDurations.format(route.backend().retryRefusedFor()));
        entry("proxy-protocol", route.backend().proxyProtocol().configName());
        close();
        open("hold");
        entry("max-connections", Integer.toString(route.hold().maxConnections()));
        entry("timeout", ConfigDurations.format(route.hold().timeout()));
        entry("on-timeout", route.hold().onTimeout().configName());
        close();
        open("pause");
        entry("max-duration", ConfigDurations.format(route.pauseMaxDuration()));
        close();
        open("resume");
        entry("max-rate", Integer.toString(route.resumeMaxRate()));
        close();
        open("drain");
        entry("timeout", ConfigDurations.format(route.drainTimeout()));
        close();
        close();
    }

    private void slot(SlotConfig slot) {
        if (slot.supervised()) {
            entry("start", list(slot.start()));
        } else {
            line("# start: not set (not supervised)");
        }
        entry("stop", slot.stopsBySignal() ? "signal" : list(slot.stop()));
        entry("stop-timeout", ConfigDurations.format(slot.stopTimeout()));
        ReadySettings ready = slot.ready();
        open("ready");
        entry("type", ready.type().configName());
        ready.url().ifPresent(url -> entry("url", quote(url)));
        if (!ready.command().isEmpty()) {
            entry("command", list(ready.command()));
        }
        entry("interval", ConfigDurations.format(ready.interval()));
        entry("timeout", ConfigDurations.format(ready.timeout()));
        entry("successes", Integer.toString(ready.successes()));
        close();
        entry("stop-on-exit", Boolean.toString(slot.stopOnExit()));
    }

    private void open(String key) {
        line(key + " {");
        depth++;
    }

    private void close() {
        depth--;
        line("}");
    }

    private void entry(String key, String value) {
        line(key + " = " + value);
    }

    private void line(String text) {
        out.append("  ".repeat(depth)).append(text).append('\n');
    }

    private static String key(String name) {
        return ConfigUtil.joinPath(name);
    }

    private static String list(java.util.List<String> words) {
        StringBuilder text = new StringBuilder("[");
        for (String word : words) {
            text.append(text.length() == 1 ? "" : ", ").append(quote(word));
        }
        return text.append(']').toString();
    }

    private static String quote(String text) {
        return ConfigUtil.quoteString(text);
    }
}
