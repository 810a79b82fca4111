package dev.holdport.bench.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds installed programs (haproxy, nginx, iperf3, wrk) on the PATH and in the sbin directories. */
public final class Programs {

    private Programs() {}

    public static Optional<Path> find(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : (path + ":/usr/local/sbin:/usr/sbin:/sbin").split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
