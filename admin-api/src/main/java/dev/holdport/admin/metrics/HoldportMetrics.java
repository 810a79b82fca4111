package dev.holdport.admin.metrics;

import dev.holdport.proxy.CloseReason;
import dev.holdport.proxy.Proxy;
import dev.holdport.proxy.ProxyObserver;
import dev.holdport.proxy.RouteStatus;
import dev.holdport.proxy.RouteTotals;
import dev.holdport.proxy.SlotStatus;
import dev.holdport.deploy.Deploy;
import dev.holdport.deploy.DeployState;
import dev.holdport.deploy.Deployer;
import dev.holdport.deploy.SlotProcessStatus;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * holdport's Prometheus metrics. The names and labels are a contract (dashboards and alerts
 * depend on them); see the README.
 *
 * <p>Counters and gauges cost the relay path nothing: they are read from the proxy's own
 * {@link RouteStatus} counters when Prometheus scrapes, through callbacks. Only the two
 * histograms need each observation; the proxy reports those through {@link ProxyObserver}, on
 * its event loops, and a histogram observation is lock-free. Deploys are counted as they end,
 * through the deployer's change listener ({@link #follow}).
 */
public final class HoldportMetrics implements ProxyObserver {

    /** A deploy pause holds connections for seconds to minutes. */
    private static final double[] HOLD_BUCKETS = {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};
    /** A backend connect on loopback takes well under a millisecond; a starting backend, seconds. */
    private static final double[] CONNECT_BUCKETS =
            {0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram holdSeconds;
    private final Histogram backendConnectSeconds;

    private final Counter deploys;

    /** The data plane the counters and gauges are read from; null until {@link #readStatusFrom}. */
    private volatile Proxy proxy;
    private static final Supplier<List<SlotProcessStatus>> NO_SLOTS = List::of;
    private volatile Supplier<List<SlotProcessStatus>> slotSource = NO_SLOTS;
    /** The slot processes read at the start of the current scrape. */
    private volatile List<SlotProcessStatus> scrapedSlots = List.of();
    /** The status read at the start of the current scrape: every callback of one scrape sees the same one. */
    private volatile List<RouteStatus> scraped = List.of();

    public HoldportMetrics() {
        counter("holdport_connections_accepted", "Client connections accepted.", RouteTotals::accepted);
        counter("holdport_pauses", "Pauses that changed a route's state (repeats do not count).", RouteTotals::pauses);
        counter("holdport_switches", "Changes of a route's active slot.", RouteTotals::switches);
        CounterWithCallback.builder()
                .name("holdport_connections_closed")
                .help("Client connections closed without being relayed, by reason.")
                .labelNames("route", "reason")
                .callback(callback -> {
                    for (RouteStatus route : scraped) {
                        for (CloseReason reason : CloseReason.values()) {
                            callback.call(route.totals().closed().getOrDefault(reason, 0L), route.route(), reason.label());
                        }
                    }
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("holdport_bytes")
                .help("Bytes relayed, by direction.")
                .labelNames("route", "direction")
                .callback(callback -> {
                    for (RouteStatus route : scraped) {
                        callback.call(route.totals().bytesFromClients(), route.route(), "client_to_backend");
                        callback.call(route.totals().bytesToClients(), route.route(), "backend_to_client");
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("holdport_connections_active")
                .help("Connections sent to a slot that have not ended, per slot: open relays, backend connects in progress, released ones not yet connecting.")
                .labelNames("route", "slot")
                .callback(callback -> {
                    for (RouteStatus route : scraped) {
                        for (SlotStatus slot : route.slots()) {
                            callback.call(slot.liveRelays(), route.route(), slot.name());
                        }
                    }
                })
                .register(registry);
        gauge("holdport_connections_held", "Connections held now (accepted while paused, not yet released).",
                RouteStatus::held);
        gauge("holdport_paused", "1 while the route is paused, else 0.", r -> r.paused() ? 1 : 0);
        GaugeWithCallback.builder()
                .name("holdport_client_connections_open")
                .help("Client connections open now over all routes: held, connecting and relayed.")
                .callback(callback -> callback.call(proxy == null ? 0 : proxy.openClientConnections()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("holdport_client_connections_limit")
                .help("The most client connections open at once (max-client-connections, or what the open-file limit"
                        + " allows); past it new clients wait in the listen backlog.")
                .callback(callback -> callback.call(proxy == null ? 0 : proxy.maxClientConnections()))
                .register(registry);
        gauge("holdport_oldest_held_seconds", "How long the oldest held connection has waited (0 when none).",
                r -> r.oldestHeldAge().toNanos() / 1e9);
        GaugeWithCallback.builder()
                .name("holdport_active_slot")
                .help("1 for the route's active slot, 0 for its other slots.")
                .labelNames("route", "slot")
                .callback(callback -> {
                    for (RouteStatus route : scraped) {
                        for (SlotStatus slot : route.slots()) {
                            callback.call(slot.active() ? 1 : 0, route.route(), slot.name());
                        }
                    }
                })
                .register(registry);
        holdSeconds = Histogram.builder()
                .name("holdport_hold_seconds")
                .help("Time connections spent held, from accept to release, timeout or abandon.")
                .labelNames("route")
                .classicOnly()
                .classicUpperBounds(HOLD_BUCKETS)
                .register(registry);
        backendConnectSeconds = Histogram.builder()
                .name("holdport_backend_connect_seconds")
                .help("Time to establish a backend connection, retries of a refused connect included.")
                .labelNames("route", "slot")
                .classicOnly()
                .classicUpperBounds(CONNECT_BUCKETS)
                .register(registry);
        slotProcessCounter("holdport_slot_process_crashes",
                "Exits of a supervised slot's process that holdport did not cause, since holdport started.",
                SlotProcessStatus::crashes);
        slotProcessCounter("holdport_slot_process_restarts",
                "Restarts of a supervised slot's process after a crash, since holdport started.",
                SlotProcessStatus::restarts);
        deploys = Counter.builder()
                .name("holdport_deploys")
                .help("One-call deploys and rollbacks that ended, by result (succeeded, rolled_back, cancelled, failed,"
                        + " interrupted).")
                .labelNames("route", "result")
                .register(registry);
        JvmMetrics.builder().register(registry);
    }

    /**
     * Follows the deployer for the rest of the process's life: reads the supervised slots' crash
     * and restart counts from it at each scrape, and counts every deploy by result as it ends,
     * whoever began it (the API, the Java API, anything else). One subscription, made once: a
     * deploy publishes its end exactly once, so it is counted exactly once. Every route's results
     * show at zero from the start.
     */
    public void follow(Deployer deployer, List<String> routes) {
        if (slotSource != NO_SLOTS) {
            throw new IllegalStateException("the metrics already follow a deployer: a second subscription would count each deploy twice");
        }
        this.slotSource = deployer::slots;
        for (String route : routes) {
            for (DeployState state : DeployState.values()) {
                if (state.finished()) {
                    deploys.labelValues(route, state.label());
                }
            }
        }
        // Never closed: the subscription lasts as long as the deployer.
        deployer.onChange(this::countIfEnded);
    }

    private void countIfEnded(Deploy deploy) {
        if (deploy.finished()) {
            deploys.labelValues(deploy.route(), deploy.state().label()).inc();
        }
    }

    /**
     * Reads counters and gauges from {@code proxy} from now on (the proxy needs this observer
     * before it exists, hence not a constructor argument). Creates each route's histogram series
     * so they show, at zero, before the first observation.
     */
    public void readStatusFrom(Proxy proxy) {
        this.proxy = proxy;
        for (RouteStatus route : proxy.status()) {
            holdSeconds.labelValues(route.route());
            for (SlotStatus slot : route.slots()) {
                backendConnectSeconds.labelValues(route.route(), slot.name());
            }
        }
    }

    /** Every metric, read now. Scrapes are rare: serialising them keeps each one consistent. */
    public synchronized MetricSnapshots scrape() {
        Proxy source = proxy;
        scraped = source == null ? List.of() : source.status();
        scrapedSlots = slotSource.get();
        return registry.scrape();
    }

    @Override
    public void holdEnded(String route, long nanos) {
        holdSeconds.labelValues(route).observe(nanos / 1e9);
    }

    @Override
    public void backendConnected(String route, String slot, long nanos) {
        backendConnectSeconds.labelValues(route, slot).observe(nanos / 1e9);
    }

    private void counter(String name, String help, ToLongFunction<RouteTotals> value) {
        CounterWithCallback.builder()
                .name(name)
                .help(help)
                .labelNames("route")
                .callback(callback -> {
                    for (RouteStatus route : scraped) {
                        callback.call(value.applyAsLong(route.totals()), route.route());
                    }
                })
                .register(registry);
    }

    private void slotProcessCounter(String name, String help, ToLongFunction<SlotProcessStatus> value) {
        CounterWithCallback.builder()
                .name(name)
                .help(help)
                .labelNames("route", "slot")
                .callback(callback -> {
                    for (SlotProcessStatus slot : scrapedSlots) {
                        if (slot.supervised()) {
                            callback.call(value.applyAsLong(slot), slot.route(), slot.slot());
                        }
                    }
                })
                .register(registry);
    }

    private void gauge(String name, String help, java.util.function.ToDoubleFunction<RouteStatus> value) {
        GaugeWithCallback.builder()
                .name(name)
                .help(help)
                .labelNames("route")
                .callback(callback -> {
                    for (RouteStatus route : scraped) {
                        callback.call(value.applyAsDouble(route), route.route());
                    }
                })
                .register(registry);
    }
}
