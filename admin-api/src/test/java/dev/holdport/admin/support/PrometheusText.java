package dev.holdport.admin.support;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4, written from the format's
 * specification to check what {@code /metrics} serves: it refuses what Prometheus (and
 * {@code promtool check metrics}) would refuse, and checks what a scrape relies on:
 * <ul>
 *   <li>every line is a {@code # HELP}, {@code # TYPE}, comment or sample line, well formed
 *       (names, label escaping, float values);
 *   <li>a family's {@code TYPE} comes before its samples, once; its samples are contiguous;
 *   <li>sample names fit the family's type ({@code _bucket}, {@code _sum}, {@code _count}...);
 *   <li>no series appears twice;
 *   <li>histograms have ascending {@code le} bounds ending at {@code +Inf}, cumulative counts,
 *       and {@code _count} equal to the {@code +Inf} bucket.
 * </ul>
 * The Java client has writers but no parser, hence this one.
 */
public final class PrometheusText {

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** One sample: name, labels in order of appearance, value. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    private final Map<String, String> types = new LinkedHashMap<>();
    private final List<Sample> samples = new ArrayList<>();

    private PrometheusText() {}

    /** @throws IllegalArgumentException naming the line and what is wrong with it */
    public static PrometheusText parse(String text) {
        PrometheusText parsed = new PrometheusText();
        parsed.read(text);
        return parsed;
    }

    public List<Sample> samples() {
        return samples;
    }

    /** The family types declared by {@code # TYPE}. */
    public Map<String, String> types() {
        return types;
    }

    /** The value of the one sample with this name and these labels (pairs: name, value, ...). */
    public double value(String name, String... labelPairs) {
        Map<String, String> wanted = new HashMap<>();
        for (int i = 0; i < labelPairs.length; i += 2) {
            wanted.put(labelPairs[i], labelPairs[i + 1]);
        }
        List<Sample> matches = samples.stream()
                .filter(s -> s.name().equals(name) && s.labels().equals(wanted))
                .toList();
        if (matches.size() != 1) {
            throw new IllegalArgumentException("no single sample " + name + wanted + " (found " + matches.size() + ")");
        }
        return matches.get(0).value();
    }

    private void read(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition does not end with a newline");
        }
        Set<String> helped = new HashSet<>();
        Set<String> finishedFamilies = new HashSet<>();
        Set<String> series = new HashSet<>();
        String currentFamily = null;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            String where = "line " + (i + 1) + " \"" + line + "\": ";
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("#")) {
                String[] parts = line.split(" ", 4);
                if (parts.length >= 3 && (parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
                    String name = parts[2];
                    require(METRIC_NAME.matcher(name).matches(), where + "bad metric name");
                    if (parts[1].equals("HELP")) {
                        require(helped.add(name), where + "second HELP for " + name);
                    } else {
                        require(parts.length == 4 && TYPES.contains(parts[3]), where + "unknown type");
                        require(!types.containsKey(name), where + "second TYPE for " + name);
                        require(!finishedFamilies.contains(name) && !name.equals(currentFamily),
                                where + "TYPE after samples of " + name);
                        types.put(name, parts[3]);
                    }
                }
                continue;
            }
            Sample sample = parseSample(line, where);
            String family = familyOf(sample.name());
            require(family != null || !types.containsKey(sample.name()), where + "sample name does not fit its type");
            String familyName = family == null ? sample.name() : family;
            if (!familyName.equals(currentFamily)) {
                require(!finishedFamilies.contains(familyName), where + "samples of " + familyName + " are not together");
                if (currentFamily != null) {
                    finishedFamilies.add(currentFamily);
                }
                currentFamily = familyName;
            }
            require(series.add(sample.name() + new TreeMap<>(sample.labels())), where + "duplicate series");
            samples.add(sample);
        }
        checkHistograms();
    }

    /** The declared family a sample belongs to, by the suffixes its type allows; null if untyped. */
    private String familyOf(String sampleName) {
        if (types.containsKey(sampleName)) {
            String type = types.get(sampleName);
            return type.equals("histogram") ? null : sampleName; // a histogram has no bare sample
        }
        for (String suffix : new String[] {"_bucket", "_sum", "_count", "_created", "_total"}) {
            if (sampleName.endsWith(suffix)) {
                String base = sampleName.substring(0, sampleName.length() - suffix.length());
                String type = types.get(base);
                if (type == null) {
                    continue;
                }
                boolean fits = switch (type) {
                    case "histogram" -> !suffix.equals("_total");
                    case "summary" -> suffix.equals("_sum") || suffix.equals("_count") || suffix.equals("_created");
                    case "counter" -> suffix.equals("_total") || suffix.equals("_created");
                    default -> false;
                };
                if (fits) {
                    return base;
                }
            }
        }
        return null;
    }

    private void checkHistograms() {
        for (Map.Entry<String, String> family : types.entrySet()) {
            if (!family.getValue().equals("histogram")) {
                continue;
            }
            String name = family.getKey();
            Map<Map<String, String>, TreeMap<Double, Double>> buckets = new HashMap<>();
            Map<Map<String, String>, Double> counts = new HashMap<>();
            Set<Map<String, String>> sums = new HashSet<>();
            for (Sample s : samples) {
                Map<String, String> labels = new TreeMap<>(s.labels());
                if (s.name().equals(name + "_bucket")) {
                    String le = labels.remove("le");
                    require(le != null, name + "_bucket without le");
                    TreeMap<Double, Double> series = buckets.computeIfAbsent(labels, k -> new TreeMap<>());
                    require(series.put(parseFloat(le, name + " le"), s.value()) == null, name + ": repeated le " + le);
                } else if (s.name().equals(name + "_count")) {
                    counts.put(labels, s.value());
                } else if (s.name().equals(name + "_sum")) {
                    sums.add(labels);
                }
            }
            for (Map.Entry<Map<String, String>, TreeMap<Double, Double>> series : buckets.entrySet()) {
                TreeMap<Double, Double> bounds = series.getValue();
                require(bounds.lastKey() == Double.POSITIVE_INFINITY, name + series.getKey() + ": no +Inf bucket");
                double previous = 0;
                for (double cumulative : bounds.values()) {
                    require(cumulative >= previous, name + series.getKey() + ": buckets are not cumulative");
                    previous = cumulative;
                }
                require(counts.containsKey(series.getKey()) && counts.get(series.getKey()) == previous,
                        name + series.getKey() + ": _count differs from the +Inf bucket");
                require(sums.contains(series.getKey()), name + series.getKey() + ": no _sum");
            }
        }
    }

    private static Sample parseSample(String line, String where) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        require(METRIC_NAME.matcher(name).matches(), where + "bad metric name");
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                require(eq > 0, where + "label without =");
                String labelName = line.substring(i, eq);
                require(LABEL_NAME.matcher(labelName).matches(), where + "bad label name " + labelName);
                require(eq + 1 < line.length() && line.charAt(eq + 1) == '"', where + "label value not quoted");
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                while (true) {
                    require(j < line.length(), where + "unterminated label value");
                    char c = line.charAt(j);
                    if (c == '\\') {
                        require(j + 1 < line.length(), where + "dangling escape");
                        char e = line.charAt(j + 1);
                        require(e == '\\' || e == '"' || e == 'n', where + "bad escape \\" + e);
                        value.append(e == 'n' ? '\n' : e);
                        j += 2;
                    } else if (c == '"') {
                        break;
                    } else {
                        value.append(c);
                        j++;
                    }
                }
                require(labels.put(labelName, value.toString()) == null, where + "repeated label " + labelName);
                i = j + 1;
                require(i < line.length(), where + "unterminated labels");
                if (line.charAt(i) == ',') {
                    i++;
                } else {
                    require(line.charAt(i) == '}', where + "expected , or }");
                }
            }
            i++;
        }
        require(i < line.length() && line.charAt(i) == ' ', where + "no space before the value");
        String[] rest = line.substring(i + 1).split(" ");
        require(rest.length == 1 || rest.length == 2, where + "expected a value and an optional timestamp");
        double value = parseFloat(rest[0], where + "value");
        if (rest.length == 2) {
            try {
                Long.parseLong(rest[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + "bad timestamp");
            }
        }
        return new Sample(name, labels, value);
    }

    private static double parseFloat(String text, String what) {
        switch (text) {
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            case "NaN":
                return Double.NaN;
            default:
                require(text.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?"), what + ": not a float: " + text);
                return Double.parseDouble(text);
        }
    }

    private static void require(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalArgumentException(problem);
        }
    }
}
