package dev.holdport.dist;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/** A backend slot for the test: echoes every byte back on 127.0.0.1, one thread per connection. */
final class EchoServer implements AutoCloseable {

    private final ServerSocket server;
    private final AtomicInteger accepted = new AtomicInteger();

    private EchoServer(ServerSocket server) {
        this.server = server;
    }

    static EchoServer start() throws IOException {
        EchoServer echo = new EchoServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        Thread acceptor = new Thread(echo::acceptUntilClosed, "echo-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return echo;
    }

    int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far: proof that a client's bytes came through holdport. */
    int accepted() {
        return accepted.get();
    }

    private void acceptUntilClosed() {
        while (!server.isClosed()) {
            try {
                Socket connection = server.accept();
                accepted.incrementAndGet();
                Thread echo = new Thread(() -> echo(connection), "echo");
                echo.setDaemon(true);
                echo.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void echo(Socket connection) {
        try (connection; InputStream in = connection.getInputStream(); OutputStream out = connection.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // the peer went away: nothing to echo any more
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
