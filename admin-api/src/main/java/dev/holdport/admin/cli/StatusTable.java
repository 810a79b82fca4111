package dev.holdport.admin.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdport.admin.DurationText;
import java.util.ArrayList;
import java.util.List;

/**
 * The human form of a status answer: one line per route, then one per slot.
 *
 * <pre>
 * ROUTE  LISTEN          STATE   ACTIVE  HELD  OLDEST HELD  LIVE  ACCEPTED  RELAYED  CLOSED
 * web    127.0.0.1:8080  paused  a       2     3.2s         0     10        8        0
 *
 * ROUTE  SLOT  ACTIVE  ADDRESS         LIVE  PATH
 * web    a     yes     127.0.0.1:9001  0     /opt/app/a
 * web    b             127.0.0.1:9002  0     /opt/app/b
 * </pre>
 *
 * When holdport supervises slots' processes, the slot lines show them too:
 *
 * <pre>
 * ROUTE  SLOT  ACTIVE  ADDRESS         LIVE  PROCESS  PID   UPTIME  PATH
 * web    a     yes     127.0.0.1:9001  0     running  4711  3h12m   /opt/app/a
 * web    b             127.0.0.1:9002  0     stopped  -     -       /opt/app/b
 * </pre>
 */
final class StatusTable {

    private StatusTable() {}

    /** Renders {@code {"routes": [...]}} or a single route's status. */
    static String render(JsonNode answer) {
        List<JsonNode> routes = new ArrayList<>();
        if (answer.has("routes")) {
            answer.get("routes").forEach(routes::add);
        } else {
            routes.add(answer);
        }
        boolean drained = routes.stream().anyMatch(r -> r.has("drain"));
        TextTable summary = drained
                ? new TextTable("ROUTE", "STATE", "ACTIVE", "DRAINED", "REMAINING", "WAITED", "LIVE", "HELD")
                : new TextTable("ROUTE", "LISTEN", "STATE", "ACTIVE", "HELD", "OLDEST HELD", "LIVE", "ACCEPTED",
                        "RELAYED", "CLOSED");
        boolean supervised = routes.stream()
                .anyMatch(r -> r.path("slots").findValues("process").stream().anyMatch(JsonNode::isObject));
        TextTable slots = supervised
                ? new TextTable("ROUTE", "SLOT", "ACTIVE", "ADDRESS", "LIVE", "PROCESS", "PID", "UPTIME", "PATH")
                : new TextTable("ROUTE", "SLOT", "ACTIVE", "ADDRESS", "LIVE", "PATH");
        for (JsonNode route : routes) {
            String name = route.path("route").asText();
            if (drained) {
                JsonNode drain = route.path("drain");
                summary.row(name, route.path("state").asText(), route.path("active").asText(),
                        drain.path("drained").asBoolean() ? "yes" : "no", drain.path("remaining").asInt(),
                        DurationText.human(drain.path("waited_seconds").asDouble()),
                        route.path("live_relays").asInt(), route.path("held").asInt());
            } else {
                JsonNode totals = route.path("totals");
                long closed = 0;
                for (JsonNode count : totals.path("closed")) {
                    closed += count.asLong();
                }
                double oldest = route.path("oldest_held_seconds").asDouble();
                summary.row(name, route.path("listen").asText(), route.path("state").asText(),
                        route.path("active").asText(), route.path("held").asInt(),
                        route.path("held").asInt() == 0 ? "-" : DurationText.human(oldest),
                        route.path("live_relays").asInt(), totals.path("accepted").asLong(),
                        totals.path("relayed").asLong(), closed);
            }
            for (JsonNode slot : route.path("slots")) {
                List<Object> cells = new ArrayList<>(List.of(name, slot.path("name").asText(),
                        slot.path("active").asBoolean() ? "yes" : "", slot.path("address").asText(),
                        slot.path("live_relays").asInt()));
                if (supervised) {
                    cells.addAll(processCells(slot.path("process")));
                }
                String path = slot.path("path").asText();
                cells.add(path.isEmpty() ? "-" : path);
                slots.row(cells.toArray());
            }
        }
        return summary.render() + "\n" + slots.render();
    }

    /** PROCESS, PID and UPTIME of a slot: {@code -} for a slot holdport does not supervise. */
    private static List<String> processCells(JsonNode process) {
        if (!process.isObject()) {
            return List.of("-", "-", "-");
        }
        if (!process.path("running").asBoolean()) {
            return List.of("stopped", "-", "-");
        }
        JsonNode uptime = process.path("uptime_seconds");
        return List.of("running", process.path("pid").asText("-"),
                uptime.isNumber() ? DurationText.human(uptime.asDouble()) : "-");
    }
}
