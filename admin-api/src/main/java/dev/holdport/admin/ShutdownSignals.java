package dev.holdport.admin;

import java.util.concurrent.atomic.AtomicBoolean;
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

    private ShutdownSignals() {}

    /** On the first TERM or INT, runs {@code shutdown} on its own thread, then exits 0. */
    public static void install(Runnable shutdown) {
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
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> {
                if (!started.compareAndSet(false, true)) {
                    log.info("SIG{} received: already shutting down", signal.getName());
                    return;
                }
                log.info("SIG{} received: shutting down", signal.getName());
                Thread thread = new Thread(stopAndExit, "holdport-shutdown");
                thread.start();
            });
        }
    }
}
