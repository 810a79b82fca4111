package dev.holdport.admin;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT stop holdport gracefully and exit 0. A JVM shutdown hook alone would exit
 * 143 (128 + SIGTERM), which systemd and deploy scripts read as a failure; a signal handler lets
 * the process choose its exit status after an orderly stop.
 */
public final class ShutdownSignals {

    private static final Logger log = LoggerFactory.getLogger(ShutdownSignals.class);

    private static final String[] SIGNALS = {"TERM", "INT"};

    private ShutdownSignals() {}

    /** On the first TERM or INT, runs {@code shutdown} on its own thread, then exits 0. */
    public static void install(Runnable shutdown) {
        install(shutdown, null);
    }

    /**
     * Until {@link #install} replaces them: the first TERM or INT completes the returned future
     * with the signal's name rather than ending the JVM at once. A start that waits long (a
     * take-over waiting for its predecessor to exit) gives up on it; a start that completes
     * hands it to {@code install}, which then stops holdport gracefully straight away.
     */
    public static CompletableFuture<String> rememberDuringStart() {
        CompletableFuture<String> received = new CompletableFuture<>();
        for (String name : SIGNALS) {
            Signal.handle(new Signal(name), signal -> {
                if (received.complete("SIG" + signal.getName())) {
                    log.info("SIG{} received while starting", signal.getName());
                } else {
                    log.info("SIG{} received while starting: already stopping", signal.getName());
                }
            });
        }
        return received;
    }

    /**
     * {@link #install(Runnable)}; when {@code duringStart} (from {@link #rememberDuringStart})
     * completes, already or later, the stop begins as if the signal had come now.
     */
    public static void install(Runnable shutdown, CompletableFuture<String> duringStart) {
        Runnable stopAndExit = () -> {
            try {
                shutdown.run();
            } catch (RuntimeException e) {
                log.error("shutdown failed", e);
                System.exit(1);
            }
            System.exit(0);
        };
        AtomicBoolean started = new AtomicBoolean();
        Consumer<String> stop = signal -> {
            if (!started.compareAndSet(false, true)) {
                log.info("{} received: already shutting down", signal);
                return;
            }
            log.info("{} received: shutting down", signal);
            new Thread(stopAndExit, "holdport-shutdown").start();
        };
        for (String name : SIGNALS) {
            Signal.handle(new Signal(name), signal -> stop.accept("SIG" + signal.getName()));
        }
        if (duringStart != null) {
            // Not a one-off isDone() check: a signal the JVM dispatched to the old handler just
            // before the swap may complete the future only now.
            duringStart.thenAccept(signal -> stop.accept(signal + " (while starting)"));
        }
    }
}
