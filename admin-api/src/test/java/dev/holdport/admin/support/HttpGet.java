package dev.holdport.admin.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** One HTTP/1.0 GET on a new connection: each call is a new client connection through holdport. */
public final class HttpGet {

    /** The answer's status code and body. */
    public record Answer(int status, String body) {}

    private HttpGet() {}

    public static Answer once(int port, int timeoutMillis) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            OutputStream out = socket.getOutputStream();
            out.write("GET / HTTP/1.0\r\nHost: holdport-test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int headerEnd = response.indexOf("\r\n\r\n");
            if (!response.startsWith("HTTP/1.") || headerEnd < 0) {
                throw new IOException("not an HTTP answer: \"" + response + "\"");
            }
            int status = Integer.parseInt(response.substring(9, 12));
            return new Answer(status, response.substring(headerEnd + 4));
        }
    }
}
