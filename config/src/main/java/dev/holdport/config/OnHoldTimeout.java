package dev.holdport.config;

/** {@code hold.on-timeout}: what happens to a connection held longer than {@code hold.timeout}. */
public enum OnHoldTimeout {
    /** Close the client connection (counted as {@code hold_timeout}). */
    CLOSE,
    /** Send it to the active slot even though the route is still paused. */
    FORWARD;

    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
