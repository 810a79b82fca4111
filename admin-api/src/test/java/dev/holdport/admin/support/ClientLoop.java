package dev.holdport.admin.support;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A client that keeps making requests through holdport, one new connection after another, while
 * a deploy happens: every answer and every failure is recorded. Bounded: it stops by itself
 * after {@code maxRequests} or {@code maxTime}, whichever comes first.
 */
public final class ClientLoop implements AutoCloseable {

    private final List<String> answers = new CopyOnWriteArrayList<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;

    private ClientLoop(int port, int maxRequests, Duration maxTime) {
        long deadline = System.nanoTime() + maxTime.toNanos();
        thread = new Thread(() -> {
            for (int i = 0; i < maxRequests && !stop.get() && System.nanoTime() < deadline; i++) {
                try {
                    HttpGet.Answer answer = HttpGet.once(port, 30_000);
                    if (answer.status() == 200) {
                        answers.add(answer.body().strip());
                    } else {
                        failures.add("request " + i + ": HTTP " + answer.status() + " " + answer.body());
                    }
                } catch (IOException e) {
                    failures.add("request " + i + ": " + e);
                }
            }
        }, "client-loop");
        thread.setDaemon(true);
    }

    public static ClientLoop start(int port) {
        ClientLoop loop = new ClientLoop(port, 20_000, Duration.ofMinutes(2));
        loop.thread.start();
        return loop;
    }

    public List<String> answers() {
        return answers;
    }

    public List<String> failures() {
        return failures;
    }

    /** Answers received since {@code index} (to look at what came after some moment). */
    public List<String> answersSince(int index) {
        // A copy first: a view of a list the client thread keeps appending to fails when read.
        List<String> now = List.copyOf(answers);
        return now.subList(Math.min(index, now.size()), now.size());
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        thread.join(60_000);
    }
}
