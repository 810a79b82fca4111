package dev.holdport.admin;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus' own checker, {@code promtool check metrics}, as a real parser of what
 * {@code /metrics} serves. {@link #locate} finds it on the PATH or installs Debian's
 * {@code prometheus} package (root and apt-get only, at most once per JVM, bounded in time);
 * when that is impossible it says why, so the test can skip rather than fail.
 */
final class Promtool {

    /** Generous for a cold {@code apt-get update} plus a ~30 MB package on a slow mirror. */
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(30);

    /** What {@code promtool check metrics} said: exit code and stdout + stderr together. */
    record Verdict(int exitCode, String output) {}

    /** Either the executable, or why there is none. */
    record Found(Optional<Path> executable, String whyNot) {}

    private static Found found;

    private final Path executable;

    private Promtool(Path executable) {
        this.executable = executable;
    }

    /** promtool from the PATH, else installed with apt-get; the outcome is kept for the JVM. */
    static synchronized Found locate(Path installLog) {
        if (found == null) {
            found = onPath().map(path -> new Found(Optional.of(path), ""))
                    .orElseGet(() -> install(installLog));
        }
        return found;
    }

    static Promtool at(Path executable) {
        return new Promtool(executable);
    }

    /** {@code promtool --version}'s first line, for messages. */
    String version() throws IOException, InterruptedException {
        String output = run(List.of(executable.toString(), "--version"), "", CHECK_TIMEOUT).output();
        return output.lines().findFirst().orElse("unknown version");
    }

    /** Pipes the exposition text to {@code promtool check metrics} on its stdin. */
    Verdict checkMetrics(String exposition) throws IOException, InterruptedException {
        return run(List.of(executable.toString(), "check", "metrics"), exposition, CHECK_TIMEOUT);
    }

    private static Optional<Path> onPath() {
        String path = System.getenv().getOrDefault("PATH", "");
        List<String> dirs = new ArrayList<>(List.of(path.split(File.pathSeparator)));
        dirs.add("/usr/bin"); // where Debian puts it, should the test's PATH be minimal
        return dirs.stream().filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "promtool"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static Found install(Path log) {
        Optional<Path> aptGet = Optional.of(Path.of("/usr/bin/apt-get")).filter(Files::isExecutable);
        if (aptGet.isEmpty()) {
            return missing("promtool is not on the PATH and there is no apt-get to install it");
        }
        Instant deadline = Instant.now().plus(INSTALL_TIMEOUT);
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, "");
            if (!"0".equals(run(List.of("id", "-u"), "", CHECK_TIMEOUT).output().strip())) {
                return missing("promtool is not on the PATH and installing the prometheus package needs root");
            }
            List<String> installCommand = List.of(aptGet.get().toString(), "install", "-y",
                    "--no-install-recommends", "prometheus");
            Verdict install = logged(log, installCommand, deadline);
            if (install.exitCode() != 0 && listsAreMissing(install.output())) {
                // Containers often ship without package lists: fetch them once, then retry.
                Verdict update = logged(log, List.of(aptGet.get().toString(), "update"), deadline);
                if (update.exitCode() != 0) {
                    return missing("apt-get update failed (exit " + update.exitCode() + "), see " + log);
                }
                install = logged(log, installCommand, deadline);
            }
            if (install.exitCode() != 0) {
                return missing("apt-get install prometheus failed (exit " + install.exitCode() + "), see " + log);
            }
            return onPath().map(p -> new Found(Optional.of(p), ""))
                    .orElseGet(() -> missing("the prometheus package installed no promtool, see " + log));
        } catch (IOException e) {
            return missing("installing promtool failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return missing("interrupted while installing promtool");
        }
    }

    private static boolean listsAreMissing(String aptOutput) {
        return aptOutput.contains("Unable to locate package")
                || aptOutput.contains("has no installation candidate")
                || aptOutput.contains("404")
                || aptOutput.contains("Failed to fetch");
    }

    private static Verdict logged(Path log, List<String> command, Instant deadline)
            throws IOException, InterruptedException {
        Duration left = Duration.between(Instant.now(), deadline);
        if (left.isNegative() || left.isZero()) {
            return new Verdict(-1, "no time left for " + command);
        }
        Verdict verdict = run(command, "", left);
        Files.writeString(log, "$ " + String.join(" ", command) + "\n" + verdict.output()
                + "exit " + verdict.exitCode() + "\n\n", StandardOpenOption.APPEND);
        return verdict;
    }

    private static Found missing(String why) {
        return new Found(Optional.empty(), why);
    }

    /** Runs a command to completion within the timeout (killed past it: exit -1). */
    private static Verdict run(List<String> command, String stdin, Duration timeout)
            throws IOException, InterruptedException {
        Path output = Files.createTempFile("promtool-", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
            Process process = builder.start();
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
                return new Verdict(-1, Files.readString(output) + "\n(killed after " + timeout + ")\n");
            }
            return new Verdict(process.exitValue(), Files.readString(output));
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
