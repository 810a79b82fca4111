package dev.holdport.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.holdport.config.TransportChoice;
import dev.holdport.proxy.testing.BackendMain;
import dev.holdport.proxy.testing.Clients;
import dev.holdport.proxy.testing.FreePort;
import dev.holdport.proxy.testing.TestConfigs;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deploy holdport exists for: a legacy backend process on a fixed port is stopped and a new
 * one started on the same port, under load, and no client sees an error.
 */
class RestartInPlaceTest {

    private static final int CLIENT_THREADS = 32;
    private static final Duration DOWNTIME = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    @Test
    void pauseStopStartResumeCostsNoClientAnything() throws Exception {
        int port = FreePort.pick();
        Process old = BackendMain.spawn(port, "v1");
        ExecutorService pool = Executors.newFixedThreadPool(CLIENT_THREADS);
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        Process[] next = new Process[1];
        try (Proxy proxy = Proxy.start(TestConfigs.config(TransportChoice.AUTO, dir.resolve("state.properties"),
                TestConfigs.route("a", Map.of("a", port))))) {
            Route route = proxy.routes().get(0);
            InetSocketAddress address = route.listenAddress();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> Clients.ask(address, "up?").equals("v1"));

            AtomicBoolean running = new AtomicBoolean(true);
            ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
            AtomicLong worstNanos = new AtomicLong();
            AtomicLong served = new AtomicLong();
            ConcurrentLinkedQueue<String> fromV2 = new ConcurrentLinkedQueue<>();
            List<Future<?>> clients = new ArrayList<>();
            long loadDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (int i = 0; i < CLIENT_THREADS; i++) {
                clients.add(pool.submit(() -> {
                    while (running.get() && System.nanoTime() - loadDeadline < 0) {
                        long start = System.nanoTime();
                        try {
                            String answer = Clients.ask(address, "hello");
                            worstNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
                            served.incrementAndGet();
                            if (answer.equals("v2")) {
                                fromV2.add(answer);
                            }
                        } catch (Exception e) {
                            errors.add(e.toString());
                        }
                    }
                }));
            }
            await().until(() -> served.get() > 500);

            // The deploy: pause, let the last exchanges with v1 finish, stop v1, start v2 after the downtime, resume.
            route.pause();
            DrainResult drained = route.drain(Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS);
            assertThat(drained.drained()).isTrue();
            old.destroy();
            assertThat(old.waitFor(10, TimeUnit.SECONDS)).isTrue();
            long downAt = System.nanoTime();
            ScheduledFuture<Process> started = scheduler.schedule(() -> BackendMain.spawn(port, "v2"), DOWNTIME.toMillis(), TimeUnit.MILLISECONDS);
            next[0] = started.get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                try (Socket probe = new Socket("127.0.0.1", port)) {
                    return true;
                }
            });
            RouteStatus beforeResume = route.status();
            route.resume();
            long downtime = System.nanoTime() - downAt;

            await().atMost(Duration.ofSeconds(30)).until(() -> fromV2.size() > 500);
            running.set(false);
            for (Future<?> client : clients) {
                client.get(1, TimeUnit.MINUTES);
            }
            assertThat(errors).as("client errors").isEmpty();
            assertThat(beforeResume.held()).as("clients held during the restart").isPositive();
            System.out.printf("restart in place: %d exchanges, %d held during a %d ms downtime, worst client latency %d ms%n",
                    served.get(), beforeResume.held(), TimeUnit.NANOSECONDS.toMillis(downtime),
                    TimeUnit.NANOSECONDS.toMillis(worstNanos.get()));
        } finally {
            pool.shutdownNow();
            scheduler.shutdownNow();
            old.destroyForcibly();
            if (next[0] != null) {
                next[0].destroyForcibly();
            }
        }
    }
}
