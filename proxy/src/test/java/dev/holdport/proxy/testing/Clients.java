package dev.holdport.proxy.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** Small blocking client helpers for tests. */
public final class Clients {

    private Clients() {}

    public static Socket connect(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(30_000);
        socket.connect(address, 10_000);
        return socket;
    }

    /** One request line on a new connection; returns the answer line (the slot's name for {@link Backend#namedAnswer}). */
    public static String ask(InetSocketAddress address, String request) throws IOException {
        try (LineClient client = LineClient.connect(address)) {
            String line = client.exchange(request);
            if (line == null) {
                throw new IOException("connection closed without an answer");
            }
            return line;
        }
    }
}
