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

/** Writes a run's results as {@code <date>-<host>.md}, {@code .json} and {@code .png}. */
final class ReportFiles {

    record Written(String markdown, List<Path> files) {}

    private ReportFiles() {}

    static Written write(Results results, Path dir) throws IOException {
        Files.createDirectories(dir);
        String base = results.date() + "-" + results.getMachine().host();
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
}
