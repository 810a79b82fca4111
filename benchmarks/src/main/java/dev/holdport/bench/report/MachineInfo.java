package dev.holdport.bench.report;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The machine a run measured on, so readers can compare their own figures. */
public record MachineInfo(String host, int cores, String cpu, String memory, String os, String kernel,
                          String jdk, Map<String, String> tools) {

    public static MachineInfo detect() {
        Map<String, String> tools = new LinkedHashMap<>();
        tools.put("haproxy", firstLine(List.of("haproxy", "-v")));
        tools.put("nginx", firstLine(List.of("nginx", "-v")));
        tools.put("iperf3", firstLine(List.of("iperf3", "--version")));
        tools.put("wrk", firstLine(List.of("wrk", "--version")));
        tools.values().removeIf(v -> v == null);
        return new MachineInfo(hostName(), Runtime.getRuntime().availableProcessors(),
                field("/proc/cpuinfo", "model name"), field("/proc/meminfo", "MemTotal"),
                osName(), System.getProperty("os.name") + " " + System.getProperty("os.version"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"), tools);
    }

    public static String hostName() {
        try {
            String name = InetAddress.getLocalHost().getHostName();
            return name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
        } catch (IOException e) {
            return "unknown-host";
        }
    }

    private static String osName() {
        String pretty = field("/etc/os-release", "PRETTY_NAME");
        return pretty == null ? System.getProperty("os.name") : pretty.replace("\"", "");
    }

    private static String field(String file, String key) {
        try {
            for (String line : Files.readAllLines(Path.of(file))) {
                if (line.startsWith(key)) {
                    return line.substring(line.indexOf(line.contains(":") ? ':' : '=') + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux, or unreadable: leave it out
        }
        return null;
    }

    /** First line a tool prints about its version, or null if it is not installed. */
    private static String firstLine(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes()).trim();
            if (!process.waitFor(10, TimeUnit.SECONDS) || out.isEmpty()) {
                return null;
            }
            return out.lines().filter(l -> !l.isBlank()).findFirst().orElse(null);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
