package dev.holdport.proxy;

import java.util.Locale;

/**
 * Why a client connection was closed without being relayed. Every accepted connection is
 * either relayed or closed with one of these (the no-stranding invariant), and each is counted.
 */
public enum CloseReason {
    /** The client went away while held. */
    ABANDONED,
    /** Held longer than {@code hold.timeout} with {@code on-timeout = close}. */
    HOLD_TIMEOUT,
    /** The backend refused for longer than {@code retry-refused-for}, or failed otherwise. */
    BACKEND_UNAVAILABLE,
    /** A connect attempt took longer than {@code connect-timeout}. */
    BACKEND_TIMEOUT,
    /** The client closed or reset while its backend connection was being made (a FIN alone is passed on). */
    CLIENT_GONE,
    /** holdport shut down before the connection could be relayed. */
    SHUTDOWN,
    /**
     * The client sent more before its relay started than holdport buffers for all such
     * connections together (io_uring reads a half-closed client to its end; see {@code EarlyDataBudget}).
     */
    EARLY_DATA_LIMIT;

    /** The label value used in metrics and JSON: {@code hold_timeout}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
