package dev.holdport.admin.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * An HTTP request to the admin API held in flight on purpose: its headers are sent with
 * {@code Expect: 100-continue}, and the server's {@code 100 Continue} shows that the handler has
 * it and is reading its body; the body is sent only when the test says ({@link #finish}).
 */
public final class RequestInFlight implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final String body;

    private RequestInFlight(Socket socket, String body) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.body = body;
    }

    /** Sends the request's headers and returns once the handler has asked for the body. */
    public static RequestInFlight start(int port, String method, String path, String jsonBody, Duration timeout)
            throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout((int) timeout.toMillis());
        RequestInFlight request = new RequestInFlight(socket, jsonBody);
        String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + jsonBody.getBytes(StandardCharsets.UTF_8).length + "\r\n"
                + "Expect: 100-continue\r\n\r\n";
        socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        String interim = request.readHead();
        if (!interim.startsWith("HTTP/1.1 100 ")) {
            socket.close();
            throw new IOException("expected 100 Continue, got: " + interim);
        }
        return request;
    }

    /** Sends the body and reads the answer: its status line, headers and body, as one text. */
    public String finish() throws IOException {
        socket.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        String head = readHead();
        int length = contentLength(head);
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        while (length < 0 || content.size() < length) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            content.write(b);
        }
        return head + content.toString(StandardCharsets.UTF_8);
    }

    /** Status line and headers, up to the blank line; what came before the connection closed if it did. */
    private String readHead() throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection closed before an answer (got: " + head + ")");
            }
            head.append((char) b);
        }
        return head.toString();
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, "Content-Length:".length())) {
                return Integer.parseInt(line.substring("Content-Length:".length()).trim());
            }
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
