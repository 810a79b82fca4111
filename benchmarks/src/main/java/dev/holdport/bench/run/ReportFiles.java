package dev.holdport.bench.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.holdport.bench.report.ChartReport;
import dev.holdport.bench.report.MarkdownReport;
import dev.holdport.bench.report.Results;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a run's results as {@code <date>-<host>.md}, {@code .json} and {@code .png}; a later run
 * on the same day and host gets {@code <date>-<host>-2}, {@code -3}, …, never overwriting results
 * that may already be committed.
 */
final class ReportFiles {

    record Written(String markdown, List<Path> files) {}

    private ReportFiles() {}

    static Written write(Results results, Path dir) throws IOException {
        Files.createDirectories(dir);
        String base = freeBase(dir, results.date() + "-" + results.getMachine().host());
        Path png = dir.resolve(base + ".png");
        String chart = png.getFileName().toString();
        try {
            if (!ChartReport.write(results, png)) {
                chart = null;
            }
        } catch (IOException | RuntimeException | Error e) {
            results.error("chart not written: " + e);
            chart = null;
        }
        Path json = dir.resolve(base + ".json");
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(json.toFile(), results);
        String markdown = MarkdownReport.render(results, chart);
        Path md = dir.resolve(base + ".md");
        Files.writeString(md, markdown);
        return new Written(markdown, chart == null ? List.of(md, json) : List.of(md, json, png));
    }

    /** {@code base}, or the first {@code base-N} (N from 2) for which none of the three files exists yet. */
    static String freeBase(Path dir, String base) {
        String candidate = base;
        for (int n = 2; taken(dir, candidate); n++) {
            candidate = base + "-" + n;
        }
        return candidate;
    }

    private static boolean taken(Path dir, String base) {
        return Files.exists(dir.resolve(base + ".md")) || Files.exists(dir.resolve(base + ".json"))
                || Files.exists(dir.resolve(base + ".png"));
    }
}
