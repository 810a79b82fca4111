package dev.holdport.admin.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code holdport} command as a child process: {@code java -cp <the test classpath>
 * dev.holdport.admin.Main ...}, the same main class as the shaded jar's.
 */
public final class HoldportCommand {

    /** What a finished command printed and returned. */
    public record Result(int exitCode, String out, String err) {}

    private HoldportCommand() {}

    public static List<String> commandLine(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // A CLI call is short: start fast rather than optimise.
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("dev.holdport.admin.Main");
        command.addAll(args);
        return command;
    }

    /** Runs to completion (at most 60 s). */
    public static Result run(String... args) {
        return run(Map.of(), args);
    }

    public static Result run(Map<String, String> env, String... args) {
        Process process = start(env, List.of(args));
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("holdport " + String.join(" ", args) + " did not end within 60s");
            }
            return new Result(process.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts without waiting (for {@code run} and {@code demo}); HOLDPORT_* variables of the test's environment are not passed on. */
    public static Process start(Map<String, String> env, List<String> args) {
        ProcessBuilder builder = new ProcessBuilder(commandLine(args));
        builder.environment().keySet().removeIf(name -> name.startsWith("HOLDPORT_") || name.equals("NOTIFY_SOCKET"));
        builder.environment().putAll(env);
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }
}
