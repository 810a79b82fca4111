package dev.holdport.proxy.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * A blocking test backend on a loopback port: one thread per connection, running a
 * {@link Behaviour}. Plain java.net sockets, so it uses no Netty direct memory (the
 * backpressure test measures holdport's).
 */
public final class Backend implements AutoCloseable {

    /** What the backend does with one accepted connection. */
    @FunctionalInterface
    public interface Behaviour {
        void serve(Socket socket) throws Exception;
    }

    private final ServerSocket server;
    private final Behaviour behaviour;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final java.util.Map<Socket, Integer> acceptOrder = new ConcurrentHashMap<>();
    private final Thread acceptor;

    private Backend(ServerSocket server, Behaviour behaviour) {
        this.server = server;
        this.behaviour = behaviour;
        this.acceptor = new Thread(this::acceptLoop, "backend-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Starts on a free loopback port. */
    public static Backend start(Behaviour behaviour) {
        return start(0, behaviour);
    }

    /** Starts on {@code port} (0 = free). */
    public static Backend start(int port, Behaviour behaviour) {
        try {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
            return new Backend(server, behaviour);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code 127.0.0.1:<port>}, as a slot's {@code address} in a config. */
    public String address() {
        return "127.0.0.1:" + port();
    }

    /** The 1-based position of {@code socket} in this backend's accept order. */
    public int acceptIndex(Socket socket) {
        return acceptOrder.getOrDefault(socket, 0);
    }

    public int accepted() {
        return accepted.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return;
            }
            acceptOrder.put(socket, accepted.incrementAndGet());
            open.add(socket);
            Thread worker = new Thread(() -> {
                try (socket) {
                    behaviour.serve(socket);
                } catch (Exception e) {
                    // A test backend's peer may reset or vanish; the test asserts on the client side.
                } finally {
                    open.remove(socket);
                    acceptOrder.remove(socket);
                }
            }, "backend-conn");
            worker.setDaemon(true);
            worker.start();
        }
    }

    /** Stops listening and closes every open connection. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    // ---- common behaviours ----

    /** Echoes every byte until the client's FIN, then closes. */
    public static Behaviour echo() {
        return socket -> {
            socket.setTcpNoDelay(true);
            byte[] buf = new byte[64 * 1024];
            var in = socket.getInputStream();
            var out = socket.getOutputStream();
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
            socket.shutdownOutput();
        };
    }

    /** Reads one line, answers {@code <name>\n}, and repeats until EOF (so it serves one request per connection or many). */
    public static Behaviour namedAnswer(String name) {
        return answeringLines(line -> name);
    }

    /** Answers each line it reads with {@code <name>: <line>}, until EOF: which slot answered, and to what. */
    public static Behaviour namedEcho(String name) {
        return answeringLines(line -> name + ": " + line);
    }

    private static Behaviour answeringLines(UnaryOperator<String> answer) {
        return socket -> {
            socket.setTcpNoDelay(true);
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            var out = socket.getOutputStream();
            String line;
            while ((line = in.readLine()) != null) {
                out.write((answer.apply(line) + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        };
    }
}
