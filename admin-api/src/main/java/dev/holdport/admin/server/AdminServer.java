package dev.holdport.admin.server;

import dev.holdport.config.AdminConfig;
import dev.holdport.config.HostPort;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's Jetty server: a TCP listener ({@code holdport.admin.listen}) and, optionally,
 * a Unix domain socket only its owner may use ({@code holdport.admin.unix-socket}, mode 0600).
 */
public final class AdminServer {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    /**
     * How long a stopping API waits for the answers to requests it has already begun (a status
     * call, a deploy follower's last poll) before closing their connections. Those take
     * milliseconds; the limit is there so that holdport's exit can never hang on a client.
     */
    static final Duration STOP_GRACE = Duration.ofSeconds(3);
    /** Admin connections open at once, over TCP and the Unix socket: far more than scripts and scrapers need. */
    static final int MAX_CONNECTIONS = 64;
    /** The idle timeout of admin connections while {@link #MAX_CONNECTIONS} are open (else Jetty's 30 s). */
    static final Duration IDLE_TIMEOUT_AT_CAP = Duration.ofSeconds(2);

    private final Server server;
    private final GracefulHandler inFlight;
    private final ServerConnector tcp;
    private final Optional<Path> unixSocket;
    private Path unixSocketBoundAt;

    private AdminServer(Server server, GracefulHandler inFlight, ServerConnector tcp, Optional<Path> unixSocket,
                        Path unixSocketBoundAt) {
        this.server = server;
        this.inFlight = inFlight;
        this.tcp = tcp;
        this.unixSocket = unixSocket;
        this.unixSocketBoundAt = unixSocketBoundAt;
    }

    /**
     * Binds and starts. Refuses a non-loopback address without a token: the API can stop all
     * traffic, and it would otherwise be open to the network.
     *
     * @throws AdminStartException when the address is unsafe or cannot be bound
     */
    public static AdminServer start(AdminConfig admin, Handler handler) throws AdminStartException {
        HostPort listen = admin.listen();
        boolean hasToken = admin.token().filter(t -> !t.isEmpty()).isPresent();
        if (!hasToken && !listen.isLoopback()) { // ConfigLoader refuses it first; this guards a config built otherwise
            throw new AdminStartException("holdport.admin.listen: " + listen + " is not a loopback address; "
                    + "the admin API controls all traffic, so set holdport.admin.token (or HOLDPORT_ADMIN_TOKEN) "
                    + "before exposing it, or listen on 127.0.0.1", true);
        }
        QueuedThreadPool threads = new QueuedThreadPool(8, 2);
        threads.setName("holdport-admin");
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);

        ServerConnector tcp = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        tcp.setHost(listen.host());
        tcp.setPort(listen.port());
        tcp.setReuseAddress(true);
        server.addConnector(tcp);

        Path unixBoundAt = null;
        if (admin.unixSocket().isPresent()) {
            Path target = admin.unixSocket().get().toAbsolutePath();
            unixBoundAt = target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid());
            UnixDomainServerConnector unix = new UnixDomainServerConnector(server, 1, 1, new HttpConnectionFactory(http));
            unix.setUnixDomainPath(unixBoundAt);
            server.addConnector(unix);
            refuseLiveSocket(target);
        }
        // Admin connections take their files from the same open-file limit as the data plane,
        // whose connection limit leaves only ConnectionLimit's reserve (256) for everything else:
        // a client that opens connections and never closes them must not run the data plane out
        // of backend sockets. At the cap Jetty stops accepting (newcomers wait in the listen
        // backlog) and gives idle connections a short timeout, so idle ones make room.
        NetworkConnectionLimit connectionCap = new NetworkConnectionLimit(MAX_CONNECTIONS, server.getConnectors());
        connectionCap.setEndPointIdleTimeout(IDLE_TIMEOUT_AT_CAP.toMillis());
        server.addBean(connectionCap);
        server.setErrorHandler(new ProblemErrorHandler());
        GracefulHandler inFlight = new GracefulHandler(handler);
        server.setHandler(inFlight);
        // stop() waits for the requests in flight itself (STOP_GRACE), then Jetty stops at once:
        // Jetty's own graceful stop would also wait for idle keep-alive connections to time out.
        server.setStopTimeout(0);

        AdminServer adminServer = new AdminServer(server, inFlight, tcp, admin.unixSocket().map(Path::toAbsolutePath),
                unixBoundAt);
        try {
            server.start();
            adminServer.publishUnixSocket();
        } catch (AdminStartException e) {
            adminServer.stop();
            throw e;
        } catch (Exception e) {
            adminServer.stop();
            throw new AdminStartException("cannot listen on " + listen
                    + admin.unixSocket().map(p -> " and " + p).orElse(""), e, false);
        }
        log.info("admin API listening on {}{}{}", adminServer.url(),
                adminServer.unixSocket.map(p -> " and unix:" + p).orElse(""),
                hasToken ? " (bearer token required)" : "");
        return adminServer;
    }

    /** The base URL of the TCP listener, with the real port when the config said 0. */
    public String url() {
        String host = tcp.getHost();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + tcp.getLocalPort();
    }

    public int port() {
        return tcp.getLocalPort();
    }

    public Optional<Path> unixSocket() {
        return unixSocket;
    }

    /**
     * Stops: requests already begun get up to {@link #STOP_GRACE} to be answered, new ones are
     * refused with 503 ({@code shutting-down}) meanwhile, then every connection is closed. Safe
     * to call more than once.
     */
    public void stop() {
        if (server.isStarted()) {
            log.info("admin API: stopping; requests in flight get up to {} s to be answered", STOP_GRACE.toSeconds());
            awaitRequestsInFlight();
        }
        try {
            server.stop();
        } catch (Exception e) {
            log.warn("admin API: stopping Jetty failed: {}", e.toString());
        }
        unixSocket.ifPresent(path -> {
            try {
                Files.deleteIfExists(path);
                if (unixSocketBoundAt != null) {
                    Files.deleteIfExists(unixSocketBoundAt);
                }
            } catch (IOException e) {
                log.warn("admin API: cannot remove {}: {}", path, e.toString());
            }
        });
    }

    private void awaitRequestsInFlight() {
        try {
            inFlight.shutdown().get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("admin API: {} request(s) still unanswered after {} s: closing their connections",
                    inFlight.getCurrentRequestCount(), STOP_GRACE.toSeconds());
        } catch (ExecutionException e) {
            log.warn("admin API: waiting for requests in flight failed: {}", e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The socket was bound under a private name; it gets mode 0600 before it appears under its
     * configured name, so there is no moment when another user could connect to it.
     */
    private void publishUnixSocket() throws AdminStartException {
        if (unixSocket.isEmpty()) {
            return;
        }
        Path target = unixSocket.get();
        try {
            Files.setPosixFilePermissions(unixSocketBoundAt, PosixFilePermissions.fromString("rw-------"));
            Files.move(unixSocketBoundAt, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            unixSocketBoundAt = null;
        } catch (IOException e) {
            throw new AdminStartException("holdport.admin.unix-socket: cannot create " + target + ": " + e, false);
        }
    }

    /** A socket file left by a holdport that died is replaced; one that answers is not stolen. */
    private static void refuseLiveSocket(Path target) throws AdminStartException {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(target));
        } catch (IOException e) {
            return; // nobody listens there: a stale file
        }
        throw new AdminStartException("holdport.admin.unix-socket: " + target
                + " is in use by a running process (another holdport?)", false);
    }

    /** Why the admin API did not start; {@link #isConfigError()} tells a config mistake from a bind failure. */
    public static final class AdminStartException extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean configError;

        public AdminStartException(String message, boolean configError) {
            super(message);
            this.configError = configError;
        }

        /** @param cause what Jetty threw; its causes say why (the system's reason for a failed bind) */
        public AdminStartException(String message, Throwable cause, boolean configError) {
            super(message, cause);
            this.configError = configError;
        }

        public boolean isConfigError() {
            return configError;
        }
    }
}
