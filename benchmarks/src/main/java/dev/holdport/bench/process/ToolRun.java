package dev.holdport.bench.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Runs an external client (iperf3, wrk) to completion with a time limit and returns what it
 * printed. Registered like every other child, so Ctrl-C stops it too.
 */
public final class ToolRun {

    private ToolRun() {}

    public static String run(String name, List<String> command, Path workDir, PidFile pids, Duration limit)
            throws InterruptedException, IOException {
        Path output = Files.createTempFile(workDir, name + "-", ".out");
        ChildProcess process = ChildProcess.start(name, command, output, pids);
        int exit = process.awaitExit(limit);
        if (exit == -1) {
            process.stop();
            throw new IllegalStateException(name + " did not finish within " + limit);
        }
        String text = Files.readString(output);
        if (exit != 0) {
            throw new IllegalStateException(name + " exited with " + exit + ": " + text.strip());
        }
        return text;
    }
}
