package dev.holdport.bench.backend;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code backend}: the process the benchmarks put behind each proxy. It serves echo, bulk and
 * HTTP on the given loopback ports until it is stopped (SIGTERM), and prints one "ready" line.
 */
@Command(name = "backend", description = "Run the benchmark backends (echo, bulk source, HTTP) until stopped.")
public final class BackendCommand implements Callable<Integer> {

    @Option(names = "--echo", description = "port for the echo (request/response) server")
    Integer echoPort;

    @Option(names = "--bulk", description = "port for the bulk source (streams bytes to each client)")
    Integer bulkPort;

    @Option(names = "--http", description = "port for the HTTP server (128-byte body, keep-alive)")
    Integer httpPort;

    @Option(names = "--threads", defaultValue = "2", description = "event-loop threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Override
    public Integer call() throws Exception {
        BackendServer server = new BackendServer(threads);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "backend-stop"));
        if (echoPort != null) {
            server.listen(BackendServer.Kind.ECHO, echoPort);
        }
        if (bulkPort != null) {
            server.listen(BackendServer.Kind.BULK, bulkPort);
        }
        if (httpPort != null) {
            server.listen(BackendServer.Kind.HTTP, httpPort);
        }
        System.out.println("backend ready (" + server.transportName() + ") echo=" + echoPort
                + " bulk=" + bulkPort + " http=" + httpPort);
        System.out.flush();
        stopped.await();
        return 0;
    }
}
