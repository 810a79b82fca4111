package dev.holdport.bench.process;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits, with a deadline, until a loopback port accepts connections. */
public final class PortProbe {

    private PortProbe() {}

    public static boolean isListening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Polls every 10 ms until {@code port} accepts a connection; fails if {@code stillAlive} turns
     * false (the server died) or the deadline passes.
     */
    public static void awaitListening(int port, Duration timeout, BooleanSupplier stillAlive, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!isListening(port)) {
            if (!stillAlive.getAsBoolean()) {
                throw new IllegalStateException(what + " exited before listening on port " + port);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " not listening on port " + port + " after " + timeout);
            }
            LockSupport.parkNanos(10_000_000L);
        }
    }
}
