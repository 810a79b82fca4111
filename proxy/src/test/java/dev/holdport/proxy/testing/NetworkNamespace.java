package dev.holdport.proxy.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs a test program in a child JVM inside a user and network namespace of its own
 * ({@code unshare -rn}), where it may change what the kernel does on loopback (its ephemeral
 * port range, whether {@code lo} is up) without touching the machine. The namespace starts
 * empty, so the program may use any fixed ports.
 */
public final class NetworkNamespace {

    private NetworkNamespace() {}

    /** Whether this machine lets an unprivileged process make such namespaces. */
    public static boolean available() {
        try {
            // The setup every use needs: some kernels allow the namespace but not changing it.
            Process probe = new ProcessBuilder("unshare", "-rn", "sh", "-c", "ip link set lo up")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (IOException e) {
            return false; // no unshare here
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** What the program printed and how it exited. */
    public record Result(int exitCode, String output) {}

    /**
     * Brings {@code lo} up, runs {@code setup} (a shell command; empty for none), then {@code main}
     * with this JVM's classpath and {@code args}; waits up to {@code timeoutSeconds}.
     */
    public static Result run(String setup, Class<?> main, int timeoutSeconds, String... args) throws Exception {
        // The child's temporary files (its state files, this output) go to a directory of its own,
        // removed afterwards: a probe that exits with System.exit cannot clean up after itself.
        Path scratch = Files.createTempDirectory("netns-" + main.getSimpleName());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = "ip link set lo up" + (setup.isEmpty() ? "" : " && " + setup) + " && exec \"$@\"";
        List<String> command = new ArrayList<>(List.of("unshare", "-rn", "sh", "-c", script, "sh",
                java, "-Xmx128m", "-Djava.io.tmpdir=" + scratch, "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        // Output to a file: a child writing more than a pipe holds would block until read.
        Path output = scratch.resolve("output.log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(main.getSimpleName() + " did not finish in " + timeoutSeconds + " s:\n"
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            deleteTree(scratch);
        }
    }

    /** Best effort: a failure here must not hide the test's own. */
    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            System.err.println("could not remove " + root + ": " + e);
        }
    }
}
