package dev.holdport.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** wrk's summary as wrk 4.1 prints it: a rate counts only when wrk reports no failures. */
class WrkHttpTest {

    private static final String CLEAN = """
            Running 8s test @ http://127.0.0.1:40001/file
              2 threads and 50 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency   812.00us  301.00us   9.10ms   91.00%
                Req/Sec    27.30k     1.20k   30.10k    70.00%
              435000 requests in 8.00s, 110.00MB read
            Requests/sec:  54375.00
            Transfer/sec:     13.75MB
            """;

    @Test
    void aCleanRunGivesItsRate() {
        assertThat(WrkHttp.requestsPerSecond(CLEAN, false)).isEqualTo(54375.0);
    }

    @Test
    void socketErrorsMakeTheRoundFail() {
        String withErrors = CLEAN.replace("Requests/sec", "  Socket errors: connect 0, read 12, write 0, timeout 0\nRequests/sec");
        assertThatThrownBy(() -> WrkHttp.requestsPerSecond(withErrors, false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("read 12");
    }

    @Test
    void withConnectionCloseTheServersCloseIsNoErrorButATimeoutIs() {
        String closes = CLEAN.replace("Requests/sec", "  Socket errors: connect 0, read 43500, write 0, timeout 0\nRequests/sec");
        assertThat(WrkHttp.requestsPerSecond(closes, true)).isEqualTo(54375.0);
        String timeouts = CLEAN.replace("Requests/sec", "  Socket errors: connect 0, read 43500, write 0, timeout 7\nRequests/sec");
        assertThatThrownBy(() -> WrkHttp.requestsPerSecond(timeouts, true)).hasMessageContaining("timeout 7");
    }

    @Test
    void nonSuccessAnswersMakeTheRoundFail() {
        String withErrors = CLEAN.replace("Requests/sec", "  Non-2xx or 3xx responses: 3\nRequests/sec");
        assertThatThrownBy(() -> WrkHttp.requestsPerSecond(withErrors, false)).hasMessageContaining("Non-2xx");
    }
}
