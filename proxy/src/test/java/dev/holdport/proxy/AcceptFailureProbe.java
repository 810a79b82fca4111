package dev.holdport.proxy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.holdport.config.TransportChoice;
import dev.holdport.proxy.testing.Backend;
import dev.holdport.proxy.testing.TestConfigs;
import dev.holdport.proxy.testing.Transports;
import java.io.FileInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.slf4j.LoggerFactory;

/**
 * Runs in a child JVM with a low open-file limit ({@link AcceptFailureTest}): takes every file
 * the process may open, so that holdport's listener fails to accept a waiting client with "Too
 * many open files" although its connection limit is far off, as when something else in the
 * process uses up the files. Then gives the files back: the waiting client must be accepted and
 * answered. Meanwhile the route's failure log, written at most once a second, counts the failed
 * accepts it left out, which tells a resting listener from one retrying at once.
 *
 * <p>Argument: the first fixed port to use. Prints one line per transport and exits 0 when every
 * waiting client was answered.
 */
public final class AcceptFailureProbe {

    private static final Pattern LEFT_OUT = Pattern.compile("\\(and (\\d+) similar in the last second\\)");

    private AcceptFailureProbe() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        Path dir = Files.createTempDirectory("accept-failure");
        ListAppender<ILoggingEvent> routeLog = new ListAppender<>();
        routeLog.start();
        ((Logger) LoggerFactory.getLogger(Route.class)).addAppender(routeLog);

        // Once the files are taken nothing can be loaded from a file: run what is used then once before.
        acceptFailures(routeLog);
        leftOut("(and 0 similar in the last second)");
        Awaitility.await().atMost(Duration.ofSeconds(1)).until(() -> acceptFailures(routeLog), l -> true);

        boolean allGood = true;
        for (TransportChoice transport : Transports.offered()) {
            synchronized (routeLog) {
                routeLog.list.clear();
            }
            int listenPort = port++;
            try (Backend echo = Backend.start(port++, Backend.echo())) {
                var route = TestConfigs.with(TestConfigs.route("a", Map.of("a", echo.port())), b -> b.listenPort(listenPort).backlog(16));
                try (Proxy proxy = Proxy.start(TestConfigs.config(transport, 1, dir.resolve(transport + ".properties"), List.of(route)));
                        SocketChannel client = SocketChannel.open()) { // its file is taken before the others are
                    // One whole exchange first, so that every class a relay needs is loaded while files are
                    // there; then its sockets must all be closed, or one closing late would free a file.
                    long filesBefore = openFiles();
                    try (SocketChannel warmUp = SocketChannel.open(new InetSocketAddress(loopback, listenPort))) {
                        warmUp.write(ByteBuffer.wrap("hello\n".getBytes(StandardCharsets.US_ASCII)));
                        if (!"hello".equals(readLine(warmUp))) {
                            throw new IllegalStateException(transport + ": no relay to begin with");
                        }
                    }
                    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> openFiles() <= filesBefore);
                    List<FileInputStream> taken = takeEveryFile();
                    List<String> lines;
                    try {
                        client.connect(new InetSocketAddress(loopback, listenPort)); // into the backlog: no file of holdport's yet
                        // Two lines: the first failure, and a second a second later with the count of those between.
                        lines = Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> acceptFailures(routeLog), l -> l.size() >= 2);
                    } finally {
                        for (FileInputStream file : taken) {
                            file.close();
                        }
                    }
                    int leftOut = leftOut(lines.get(1));
                    client.write(ByteBuffer.wrap("hello\n".getBytes(StandardCharsets.US_ASCII)));
                    String answer = readLine(client);
                    System.out.printf("%s: %d failed accepts left out of the second log line; the waiting client read \"%s\"%n",
                            transport, leftOut, answer);
                    allGood &= "hello".equals(answer);
                }
            }
        }
        System.exit(allGood ? 0 : 1);
    }

    private static long openFiles() throws IOException {
        try (var files = Files.list(Path.of("/proc/self/fd"))) {
            return files.count();
        }
    }

    /** Opens /dev/null until the process has no file left. */
    private static List<FileInputStream> takeEveryFile() {
        List<FileInputStream> taken = new ArrayList<>();
        while (true) {
            try {
                taken.add(new FileInputStream("/dev/null"));
            } catch (IOException e) {
                return taken; // "Too many open files"
            }
        }
    }

    private static List<String> acceptFailures(ListAppender<ILoggingEvent> log) {
        List<ILoggingEvent> events;
        synchronized (log) { // the lock the appender takes to append
            events = List.copyOf(log.list);
        }
        List<String> lines = new ArrayList<>();
        for (ILoggingEvent event : events) {
            if (event.getFormattedMessage().contains("cannot accept")) {
                lines.add(event.getFormattedMessage());
            }
        }
        return lines;
    }

    /** The count of failures a log line says it left out; 0 when it says none. */
    private static int leftOut(String line) {
        Matcher m = LEFT_OUT.matcher(line);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** One line from a blocking channel, within its own deadline. */
    private static String readLine(SocketChannel client) throws IOException {
        client.socket().setSoTimeout(10_000);
        var in = client.socket().getInputStream();
        var line = new StringBuilder();
        for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
            line.append((char) c);
        }
        return line.toString();
    }
}
