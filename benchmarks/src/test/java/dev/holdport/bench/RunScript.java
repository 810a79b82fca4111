package dev.holdport.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** {@code benchmarks/run.sh} run for real from the repository's root, as a user runs it. */
final class RunScript {

    /** What a run left: its exit code (-1: hung and stopped) and everything it printed. */
    record Outcome(int exitCode, String output) {}

    static final Path MODULE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();

    private RunScript() {}

    static Outcome run(String logName, List<String> args) throws IOException, InterruptedException {
        Path log = Files.createDirectories(MODULE.resolve("target")).resolve(logName);
        List<String> command = new ArrayList<>(List.of("bash", MODULE.resolve("run.sh").toString()));
        command.addAll(args);
        Process run = new ProcessBuilder(command)
                .directory(MODULE.getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        run.getOutputStream().close();
        // A bound on a hung run only: a quick run takes about a minute.
        if (!run.waitFor(10, TimeUnit.MINUTES)) {
            run.destroy(); // SIGTERM: run.sh's trap stops everything it started
            run.waitFor(30, TimeUnit.SECONDS);
        }
        return new Outcome(run.isAlive() ? -1 : run.exitValue(), Files.readString(log));
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
