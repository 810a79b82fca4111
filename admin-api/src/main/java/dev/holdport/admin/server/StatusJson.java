package dev.holdport.admin.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdport.admin.DurationText;
import dev.holdport.deploy.SlotProcessStatus;
import dev.holdport.proxy.CloseReason;
import dev.holdport.proxy.DrainResult;
import dev.holdport.proxy.RouteStatus;
import dev.holdport.proxy.RouteTotals;
import dev.holdport.proxy.SlotStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The JSON shapes of the API (documented in {@code openapi.yaml}): snake_case names, durations
 * as seconds (a number), instants as ISO-8601 text, enums in lower case.
 */
public final class StatusJson {

    private StatusJson() {}

    /**
     * {@code {"routes": [route, ...]}}: the answer of every endpoint that acts on all routes.
     *
     * @param processes the supervised slots' processes ({@code Deployer.slots()}), every route's
     */
    public static ObjectNode allRoutes(List<RouteStatus> routes, List<SlotProcessStatus> processes) {
        ObjectNode node = JsonResponse.MAPPER.createObjectNode();
        ArrayNode array = node.putArray("routes");
        routes.forEach(r -> array.add(route(r, processes)));
        return node;
    }

    /** @param processes the supervised slots' processes ({@code Deployer.slots()}), every route's */
    public static ObjectNode route(RouteStatus status, List<SlotProcessStatus> processes) {
        ObjectNode node = JsonResponse.MAPPER.createObjectNode();
        node.put("route", status.route());
        node.put("listen", status.listen());
        node.put("state", status.state().name().toLowerCase(Locale.ROOT));
        node.put("active", status.activeSlot());
        if (status.pausedSince() == null) {
            node.putNull("paused_since");
        } else {
            node.put("paused_since", status.pausedSince().toString());
        }
        ArrayNode slots = node.putArray("slots");
        Instant now = Instant.now();
        for (SlotStatus slot : status.slots()) {
            ObjectNode slotNode = slots.addObject()
                    .put("name", slot.name())
                    .put("address", slot.address())
                    .put("path", slot.path())
                    .put("active", slot.active())
                    .put("live_relays", slot.liveRelays());
            Optional<SlotProcessStatus> process = processes.stream()
                    .filter(p -> p.supervised() && p.route().equals(status.route()) && p.slot().equals(slot.name()))
                    .findFirst();
            if (process.isPresent()) {
                slotNode.set("process", process(process.get(), now));
            } else {
                slotNode.putNull("process"); // not supervised: holdport neither starts nor stops it
            }
        }
        node.put("held", status.held());
        node.put("oldest_held_seconds", DurationText.seconds(status.oldestHeldAge()));
        node.put("connecting", status.connecting());
        node.put("live_relays", status.liveRelays());
        node.set("totals", totals(status.totals()));
        return node;
    }

    /** A supervised slot's process; pid, start and uptime are null while none runs. */
    static ObjectNode process(SlotProcessStatus process, Instant now) {
        ObjectNode node = JsonResponse.MAPPER.createObjectNode();
        node.put("running", process.running());
        if (process.pid().isPresent()) {
            node.put("pid", process.pid().getAsLong());
        } else {
            node.putNull("pid");
        }
        if (process.startedAt().isPresent()) {
            Instant startedAt = process.startedAt().get();
            node.put("started_at", startedAt.toString());
            Duration uptime = Duration.between(startedAt, now);
            node.put("uptime_seconds", DurationText.seconds(uptime.isNegative() ? Duration.ZERO : uptime));
        } else {
            node.putNull("started_at");
            node.putNull("uptime_seconds");
        }
        node.put("adopted", process.adopted());
        node.put("crashes", process.crashes());
        node.put("restarts", process.restarts());
        node.put("last_exit", process.lastExit().orElse(null));
        node.put("log_file", process.logFile().map(Object::toString).orElse(null));
        return node;
    }

    static ObjectNode totals(RouteTotals totals) {
        ObjectNode node = JsonResponse.MAPPER.createObjectNode();
        node.put("accepted", totals.accepted());
        node.put("relayed", totals.relayed());
        node.put("held", totals.held());
        node.put("released", totals.released());
        node.put("abandoned", totals.abandoned());
        node.put("timed_out", totals.timedOut());
        node.put("failed", totals.failed());
        ObjectNode closed = node.putObject("closed");
        // Every reason, zero included, so a script can read any of them without a null check.
        for (CloseReason reason : CloseReason.values()) {
            closed.put(reason.label(), totals.closed().getOrDefault(reason, 0L));
        }
        node.put("bytes_from_clients", totals.bytesFromClients());
        node.put("bytes_to_clients", totals.bytesToClients());
        node.put("pauses", totals.pauses());
        node.put("switches", totals.switches());
        return node;
    }

    /** A route's status with what its drain found: {@code {...route, "drain": {...}}}. */
    public static ObjectNode drained(RouteStatus status, DrainResult drain, List<SlotProcessStatus> processes) {
        ObjectNode node = route(status, processes);
        node.putObject("drain")
                .put("drained", drain.drained())
                .put("remaining", drain.remaining())
                .put("waited_seconds", DurationText.seconds(drain.waited()));
        return node;
    }
}
