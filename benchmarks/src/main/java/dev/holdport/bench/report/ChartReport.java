package dev.holdport.bench.report;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The results chart (PNG, drawn with XChart): one panel of latency percentiles per target for each
 * latency measurement (figures with ids ending in {@code .p50}, {@code .p99}, {@code .p999}), and
 * one panel of every rate relative to direct (direct = 1.0).
 */
public final class ChartReport {

    private static final int PANEL_WIDTH = 800;
    private static final int PANEL_HEIGHT = 420;

    private ChartReport() {}

    /** Writes the chart; returns false (writing nothing) if the run has no figures to chart. */
    public static boolean write(Results results, Path png) throws IOException {
        List<CategoryChart> panels = new ArrayList<>();
        List<String> targets = results.getTargets();
        latencyGroups(results.getFigures()).forEach((title, percentiles) -> {
            // Logarithmic, so p50 (tens of µs) and p99.9 (milliseconds) are both readable.
            CategoryChart chart = chart(title, "µs (log scale)", "#,##0");
            chart.getStyler().setYAxisLogarithmic(true);
            List<String> present = targets.stream()
                    .filter(t -> percentiles.stream().allMatch(f -> !Double.isNaN(f.median(t)))).toList();
            if (present.isEmpty()) {
                return;
            }
            double smallest = Double.MAX_VALUE;
            for (Figure f : percentiles) {
                String series = f.id().substring(f.id().lastIndexOf('.') + 1).replace("p999", "p99.9");
                List<Double> values = present.stream().map(t -> Math.max(1.0, f.unit().toDisplay(f.median(t)))).toList();
                smallest = Math.min(smallest, values.stream().mapToDouble(Double::doubleValue).min().orElse(1));
                chart.addSeries(series, present, values);
            }
            // Bars on a log axis need a positive base: a decade below the smallest value's, so it shows.
            chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(smallest)) - 1));
            panels.add(chart);
        });
        CategoryChart rates = ratesRelativeToDirect(results.getFigures(), targets);
        if (rates != null) {
            panels.add(rates);
        }
        if (panels.isEmpty()) {
            return false; // e.g. only the hold or deploy scenario ran: their tables say it all
        }
        int columns = panels.size() == 1 ? 1 : 2;
        int rows = (panels.size() + columns - 1) / columns;
        BufferedImage image = new BufferedImage(columns * PANEL_WIDTH, rows * PANEL_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        for (int i = 0; i < panels.size(); i++) {
            Graphics2D panel = (Graphics2D) g.create((i % columns) * PANEL_WIDTH, (i / columns) * PANEL_HEIGHT,
                    PANEL_WIDTH, PANEL_HEIGHT);
            panels.get(i).paint(panel, PANEL_WIDTH, PANEL_HEIGHT);
            panel.dispose();
        }
        g.dispose();
        ImageIO.write(image, "png", png.toFile());
        return true;
    }

    /** Latency figures grouped by measurement: title → [p50, p99, p99.9] figures. */
    private static Map<String, List<Figure>> latencyGroups(List<Figure> figures) {
        Map<String, List<Figure>> groups = new LinkedHashMap<>();
        for (Figure f : figures) {
            if (f.unit() == Unit.NANOSECONDS && f.id().matches(".*\\.p\\d+$")) {
                String title = f.label().replaceAll("\\s*p[\\d.]+$", "") + " (median of rounds)";
                groups.computeIfAbsent(title, t -> new ArrayList<>()).add(f);
            }
        }
        return groups;
    }

    private static CategoryChart ratesRelativeToDirect(List<Figure> figures, List<String> targets) {
        List<Figure> rates = figures.stream()
                .filter(f -> f.higherIsBetter() && f.unit() != Unit.BYTES_PER_CPU_SECOND && !Double.isNaN(f.median("direct")))
                .toList();
        List<String> proxies = targets.stream().filter(t -> !t.equals("direct")).toList();
        if (rates.isEmpty() || proxies.isEmpty()) {
            return null;
        }
        CategoryChart chart = chart("Throughput relative to direct (direct = 1.0; higher is better)", "ratio", "0.00");
        List<String> labels = rates.stream().map(Figure::label).toList();
        for (String target : proxies) {
            List<Double> ratios = rates.stream().map(f -> {
                double r = f.ratio(target, "direct");
                return Double.isNaN(r) ? 0.0 : r;
            }).toList();
            chart.addSeries(target, labels, ratios);
        }
        chart.getStyler().setXAxisLabelRotation(20);
        return chart;
    }

    private static CategoryChart chart(String title, String yTitle, String numberPattern) {
        CategoryChart chart = new CategoryChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT)
                .title(title).yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setLabelsRotation(90);
        chart.getStyler().setDecimalPattern(numberPattern);
        chart.getStyler().setYAxisMin(0.0);
        return chart;
    }
}
