package dev.holdport.bench.target;

import java.util.Locale;

/** A service every target carries, each on its own port: one proxy route per service. */
public enum Route {
    /** Request/response: the echo backend. */
    ECHO,
    /** Bulk throughput: the backend streams bytes to the client. */
    BULK,
    /** HTTP keep-alive for wrk: the 128-byte-file backend. */
    HTTP,
    /** iperf3's server (control and data connections share its port). */
    IPERF,
    /** An echo backend of its own, stopped and restarted by the deploy scenario. */
    DEPLOY;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
