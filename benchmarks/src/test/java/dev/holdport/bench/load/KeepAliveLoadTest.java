package dev.holdport.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Keep-alive connections that serve several passes, as the fixed-rate turns use them. */
class KeepAliveLoadTest {

    private static final int CONNECTIONS = 8;

    private PausedEchoServer server;
    private LoadClient client;

    @BeforeEach
    void start() throws InterruptedException {
        server = new PausedEchoServer();
        server.resume();
        client = new LoadClient(1);
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void passesTakeTurnsOnTheSameConnections() throws InterruptedException {
        try (KeepAliveLoad.Connections connections = KeepAliveLoad.Connections.open(client, server.address(), CONNECTIONS, 64)) {
            for (int pass = 0; pass < 3; pass++) {
                LoadResult paced = connections.pass(Duration.ZERO, Duration.ofMillis(300), 2_000);
                assertThat(paced.failed()).isZero();
                // 2,000/s for 0.3 s, each connection on its own schedule: about 600 intended sends
                assertThat(paced.completed()).isBetween(560L, 640L);
                assertThat(paced.latency().getTotalCount()).isEqualTo(paced.completed());
            }
            LoadResult closedLoop = connections.pass(Duration.ZERO, Duration.ofMillis(200), 0);
            assertThat(closedLoop.failed()).isZero();
            assertThat(closedLoop.completed()).isPositive();
        }
        assertThat(server.accepted()).as("no pass reconnects").isEqualTo(CONNECTIONS);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.open() == 0);
    }

    @Test
    void aPassOnConnectionsClosedSinceTheLastOneFailsInsteadOfWaiting() throws InterruptedException {
        try (KeepAliveLoad.Connections connections = KeepAliveLoad.Connections.open(client, server.address(), CONNECTIONS, 64)) {
            assertThat(connections.pass(Duration.ZERO, Duration.ofMillis(200), 2_000).failed()).isZero();
            server.closeClients();
            await().atMost(Duration.ofSeconds(10)).until(() -> server.open() == 0);

            LoadResult after = connections.pass(Duration.ZERO, Duration.ofMillis(200), 2_000);
            assertThat(after.completed()).isZero();
            // Each connection fails once: CLOSED, or RESET if its send raced the close it had not read yet.
            assertThat(after.failed()).isEqualTo(CONNECTIONS);
            assertThat(after.failures().keySet()).isSubsetOf(Outcome.CLOSED, Outcome.RESET);
        }
    }
}
