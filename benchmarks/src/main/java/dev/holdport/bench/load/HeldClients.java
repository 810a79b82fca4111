package dev.holdport.bench.load;

import java.time.Duration;

/**
 * The clients of one hold step, each with a request waiting for its answer: in this process
 * ({@link HeldConnections}), in a child process ({@link ClientShard}), or both together
 * ({@link SpreadHeldClients}).
 */
public interface HeldClients extends AutoCloseable {

    /** Where the clients stand now. */
    HeldCount count();

    /** What the first failure was (null when none), so a report can say why. */
    String firstFailure();

    /**
     * Waits until every connected client has its answer or has failed; returns the count then.
     *
     * @throws IllegalStateException if that takes longer than {@code timeout}
     */
    HeldCount awaitAnswers(Duration timeout);

    /** Closes whatever connections are still open (and ends child processes). */
    @Override
    void close();
}
