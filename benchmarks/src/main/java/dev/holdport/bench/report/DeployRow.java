package dev.holdport.bench.report;

import java.util.Map;

/**
 * One deploy-under-load run: continuous new-connection requests while the backend process is
 * stopped and restarted on the same port.
 *
 * @param way           "direct", "haproxy (retries 60, timeout connect 100ms)" or "holdport (pause/resume)"
 * @param total         requests started during the run
 * @param failures      failed requests by kind (refused, reset, closed, timeout, other)
 * @param windowP99Nanos p99 latency of the answered requests started between the stop and 1 s after the restart
 * @param windowMaxNanos worst latency in that window
 * @param outageSeconds from the stop signal until the new process listened
 */
public record DeployRow(String way, int round, long total, Map<String, Long> failures,
                        double windowP99Nanos, double windowMaxNanos, double outageSeconds) {

    public long failed() {
        return failures.values().stream().mapToLong(Long::longValue).sum();
    }
}
