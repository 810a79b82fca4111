package dev.holdport.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdport.config.TransportChoice;
import dev.holdport.proxy.testing.NetworkNamespace;
import dev.holdport.proxy.testing.Transports;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A listener that cannot accept (the process is out of files by some other way than client
 * connections) loses no client: the one waiting is accepted and answered once files are free
 * again. {@link AcceptFailureProbe} takes every file of a child JVM with a low open-file limit; it
 * runs in a namespace of its own only for the fixed ports.
 */
class AcceptFailureTest {

    /** Failed accepts a listener resting a second between attempts makes in that second: a few at most. */
    private static final int RESTING = 10;

    @Test
    void aListenerOutOfFilesLosesNoClientAndNioRestsBetweenAttempts() throws Exception {
        Assumptions.assumeTrue(NetworkNamespace.available(), "needs unshare -rn (a user and network namespace)");
        var result = NetworkNamespace.run("{ ulimit -n 1024 || true; }", AcceptFailureProbe.class, 120, "20000");
        for (var transport : Transports.offered()) {
            Matcher line = Pattern.compile(transport + ": (\\d+) failed accepts left out of the second log line; the waiting client read \"hello\"")
                    .matcher(result.output());
            assertThat(line.find()).as(result.output()).isTrue();
            if (transport == TransportChoice.NIO) {
                assertThat(Long.parseLong(line.group(1))).as("failed accepts within a rest").isLessThanOrEqualTo(RESTING);
            }
            // io_uring retries at once instead (hundreds of thousands a second): Netty 4.2.18 re-arms
            // a multishot accept that failed whatever auto-read says; see ARCHITECTURE.md.
        }
        assertThat(result.exitCode()).as(result.output()).isZero();
    }
}
