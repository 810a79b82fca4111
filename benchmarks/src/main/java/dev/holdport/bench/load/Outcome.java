package dev.holdport.bench.load;

import io.netty.channel.ConnectTimeoutException;
import java.net.ConnectException;
import java.util.Locale;

/** How one request/response exchange ended, as its client saw it. */
public enum Outcome {
    /** The full answer arrived. */
    OK,
    /** The connection was refused (nothing listening). */
    REFUSED,
    /** The connection was reset. */
    RESET,
    /** The connection was closed cleanly before the full answer arrived. */
    CLOSED,
    /** No full answer within the time limit. */
    TIMEOUT,
    /** Any other error. */
    OTHER;

    /** Classifies a failure by the exception the socket layer raised. */
    public static Outcome of(Throwable failure) {
        if (failure instanceof ConnectTimeoutException) {
            return TIMEOUT;
        }
        String message = String.valueOf(failure.getMessage()).toLowerCase(Locale.ROOT);
        if (message.contains("refused")) {
            return REFUSED;
        }
        if (message.contains("reset")) {
            return RESET;
        }
        if (message.contains("broken pipe")) {
            return RESET; // writing after the peer's reset
        }
        if (failure instanceof ConnectException && message.contains("timed out")) {
            return TIMEOUT;
        }
        return OTHER;
    }
}
