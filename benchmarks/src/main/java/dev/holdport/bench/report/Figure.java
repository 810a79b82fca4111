package dev.holdport.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One measured quantity (for example "keep-alive req/s") with every round's value per target.
 *
 * @param id             stable key, e.g. {@code keepalive.rps}
 * @param scenario       the scenario that produced it
 * @param label          what a table row says
 * @param unit           the raw values' unit
 * @param higherIsBetter true for rates, false for latencies
 * @param rounds         target name → one value per round, in the order measured
 */
public record Figure(String id, String scenario, String label, Unit unit, boolean higherIsBetter,
                     Map<String, List<Double>> rounds) {

    public static Figure empty(String id, String scenario, String label, Unit unit, boolean higherIsBetter) {
        return new Figure(id, scenario, label, unit, higherIsBetter, new LinkedHashMap<>());
    }

    void add(String target, double value) {
        rounds.computeIfAbsent(target, t -> new ArrayList<>()).add(value);
    }

    /** Median over rounds, or NaN if the target has no value. */
    public double median(String target) {
        List<Double> values = rounds.get(target);
        if (values == null || values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** {@code median(target) / median(reference)}, or NaN if either is missing. */
    public double ratio(String target, String reference) {
        double ref = median(reference);
        double value = median(target);
        return ref == 0 || Double.isNaN(ref) ? Double.NaN : value / ref;
    }
}
