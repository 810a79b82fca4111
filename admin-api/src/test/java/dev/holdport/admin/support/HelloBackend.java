package dev.holdport.admin.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;

/**
 * A backend *process* for the deploy-recipe tests: answers every HTTP request with
 * {@code hello from <version>} and closes the connection.
 *
 * <pre>java -cp ... dev.holdport.admin.support.HelloBackend HOST:PORT VERSION PIDFILE</pre>
 *
 * It writes its pid to PIDFILE once it listens; on SIGTERM it stops like a well-behaved
 * service (finishes requests in progress) and removes PIDFILE last, so a stop script can wait
 * for the file to go.
 */
public final class HelloBackend {

    private HelloBackend() {}

    public static void main(String[] args) throws IOException {
        String[] hostPort = args[0].split(":");
        String version = args[1];
        Path pidFile = Path.of(args[2]);
        HttpServer server = HttpServer.create(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), 128);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", exchange -> answer(exchange, "hello from " + version + "\n"));
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(1);
            try {
                Files.deleteIfExists(pidFile);
            } catch (IOException e) {
                // nothing more to do on the way out
            }
        }));
        Files.writeString(pidFile, Long.toString(ProcessHandle.current().pid()));
        System.out.println("listening on " + args[0] + " as " + version);
    }

    private static void answer(HttpExchange exchange, String text) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Connection", "close");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
