package dev.holdport.proxy.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One client connection that sends lines and reads the answer lines (of {@link Backend#namedAnswer}
 * or {@link Backend#namedEcho}), over as many exchanges as the test needs.
 */
public final class LineClient implements AutoCloseable {

    private final Socket socket;
    private final BufferedReader in;

    private LineClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Connects to a loopback port; the answer to each line must come within {@code readTimeout}. */
    public static LineClient connect(int port, Duration readTimeout) throws IOException {
        Socket socket = Clients.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        socket.setSoTimeout((int) readTimeout.toMillis());
        return new LineClient(socket);
    }

    /** Connects with {@link Clients#connect}'s timeouts. */
    public static LineClient connect(InetSocketAddress address) throws IOException {
        return new LineClient(Clients.connect(address));
    }

    public void send(String line) throws IOException {
        socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
    }

    /** The next line the peer sent, or null at its FIN; throws {@link java.net.SocketTimeoutException} past the read timeout. */
    public String readLine() throws IOException {
        return in.readLine();
    }

    public String exchange(String line) throws IOException {
        send(line);
        return readLine();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
