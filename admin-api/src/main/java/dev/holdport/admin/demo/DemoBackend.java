package dev.holdport.admin.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A built-in backend for {@code holdport demo}: a tiny HTTP/1.1 server on loopback that answers
 * every request with {@code hello from <slot>}. It closes each connection after answering, so
 * every request is a new connection through holdport and a switch shows at the next request.
 */
public final class DemoBackend implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService threads;
    private final String slot;

    private DemoBackend(HttpServer server, ExecutorService threads, String slot) {
        this.server = server;
        this.threads = threads;
        this.slot = slot;
    }

    /** Starts on a free loopback port. */
    public static DemoBackend start(String slot) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        ExecutorService threads = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "demo-backend-" + slot);
            thread.setDaemon(true);
            return thread;
        });
        DemoBackend backend = new DemoBackend(server, threads, slot);
        server.createContext("/", backend::answer);
        server.setExecutor(threads);
        server.start();
        return backend;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            byte[] body = ("hello from " + slot + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.getResponseHeaders().set("Connection", "close");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
