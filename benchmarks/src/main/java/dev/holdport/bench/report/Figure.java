package dev.holdport.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One measured quantity (for example "keep-alive req/s") with every round's value per target.
 *
 * @param id             stable key, e.g. {@code keepalive.rps}
 * @param scenario       the scenario that produced it
 * @param label          what a table row says
 * @param unit           the raw values' unit
 * @param higherIsBetter true for rates, false for latencies
 * @param rounds         target name → one value per round, in the order measured
 * @param roundNumbers   target name → the round (from 1) each value of {@code rounds} was measured
 *                       in, at the same index: a round that failed for a target leaves a gap here
 */
public record Figure(String id, String scenario, String label, Unit unit, boolean higherIsBetter,
                     Map<String, List<Double>> rounds, Map<String, List<Integer>> roundNumbers) {

    public static Figure empty(String id, String scenario, String label, Unit unit, boolean higherIsBetter) {
        return new Figure(id, scenario, label, unit, higherIsBetter, new LinkedHashMap<>(), new LinkedHashMap<>());
    }

    void add(String target, int round, double value) {
        rounds.computeIfAbsent(target, t -> new ArrayList<>()).add(value);
        roundNumbers.computeIfAbsent(target, t -> new ArrayList<>()).add(round);
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

    /**
     * round → {@code target / reference} of that round, for the rounds both targets have a value
     * in. The targets run interleaved, so within one round both shared the machine's state of the
     * moment; the spread of these ratios shows how much of a difference is noise.
     */
    public SortedMap<Integer, Double> ratioByRound(String target, String reference) {
        Map<Integer, Double> references = byRound(reference);
        SortedMap<Integer, Double> ratios = new TreeMap<>();
        byRound(target).forEach((round, value) -> {
            Double ref = references.get(round);
            if (ref != null && ref != 0 && Double.isFinite(ref) && Double.isFinite(value)) {
                ratios.put(round, value / ref);
            }
        });
        return ratios;
    }

    /** holdport / HAProxy per round (empty without both), written to the JSON results beside the raw values. */
    public SortedMap<Integer, Double> getHoldportToHaproxyByRound() {
        return ratioByRound("holdport", "haproxy");
    }

    private Map<Integer, Double> byRound(String target) {
        List<Double> values = rounds.getOrDefault(target, List.of());
        List<Integer> numbers = roundNumbers.getOrDefault(target, List.of());
        Map<Integer, Double> byRound = new TreeMap<>();
        for (int i = 0; i < values.size() && i < numbers.size(); i++) {
            byRound.put(numbers.get(i), values.get(i));
        }
        return byRound;
    }
}
