package dev.holdport.admin.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdport.admin.DurationText;
import dev.holdport.admin.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToIntFunction;

/**
 * Follows one deploy to its end by polling {@code GET /deploys/{id}}, printing a line per step as
 * it ends, then a summary:
 *
 * <pre>
 * deploy web-20250114T120301Z-3f2a: switch from a to b
 *   start b     ok          12ms   pid 4711 started in /opt/app/b
 *   ...
 * succeeded in 1.3s: slot b serves
 * </pre>
 *
 * On a terminal the running step shows too, rewritten in place until it ends. With {@code --json}
 * only the final deploy is printed, as the API's JSON.
 */
final class DeployProgress {

    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);
    /** Erases the terminal line the cursor is on, after a carriage return. */
    private static final String CLEAR_LINE = "\r\033[K";

    private final AdminClient client;
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean json;
    private final boolean terminal;
    private int stepsPrinted;
    private boolean rollbackAnnounced;
    private boolean runningLineShown;
    /** When the next poll is due, in {@link System#nanoTime()} terms. */
    private long nextPollAt;

    DeployProgress(AdminClient client, PrintWriter out, PrintWriter err, boolean json, boolean terminal) {
        this.client = client;
        this.out = out;
        this.err = err;
        this.json = json;
        this.terminal = terminal && !json;
    }

    /**
     * @param started   the deploy as {@code POST .../deploy} answered it (state running)
     * @param onRefusal prints a refused poll and returns its exit code
     * @return {@link Main#OK} when the deploy succeeded, else {@link Main#REFUSED}
     */
    int follow(JsonNode started, ToIntFunction<AdminClient.Answer> onRefusal)
            throws AdminClient.UnreachableException {
        String id = started.path("id").asText();
        String path = AdminClient.deployPath(id);
        if (!json) {
            out.println((started.path("rollback").asBoolean() ? "rollback " : "deploy ") + id + ": "
                    + started.path("mode").asText() + " from " + started.path("from").asText() + " to "
                    + started.path("slot").asText());
            out.flush();
        }
        JsonNode deploy = started;
        nextPollAt = System.nanoTime() + POLL_INTERVAL.toNanos();
        while (true) {
            showSteps(deploy);
            if (!"running".equals(deploy.path("state").asText())) {
                break;
            }
            awaitNextPoll();
            AdminClient.Answer answer;
            try {
                answer = client.send("GET", path, null, Optional.of(ANSWER_TIMEOUT));
            } catch (AdminClient.UnreachableException e) {
                endRunningLine();
                err.println("holdport: lost the admin API while following deploy " + id
                        + "; it may still be running (GET " + path + " tells)");
                throw e;
            }
            if (!answer.ok()) {
                endRunningLine();
                return onRefusal.applyAsInt(answer);
            }
            try {
                deploy = AdminCommand.MAPPER.readTree(answer.body());
            } catch (IOException e) {
                endRunningLine();
                err.println("holdport: GET " + path + " answered something that is not a deploy: " + answer.body().strip());
                return Main.REFUSED;
            }
        }
        return finish(deploy);
    }

    private void showSteps(JsonNode deploy) {
        if (json) {
            return;
        }
        JsonNode steps = deploy.path("steps");
        while (stepsPrinted < steps.size() && !"running".equals(steps.get(stepsPrinted).path("outcome").asText())) {
            endRunningLine();
            JsonNode step = steps.get(stepsPrinted++);
            announceRollback(step, deploy);
            out.println(line(step));
        }
        if (terminal && stepsPrinted < steps.size()) {
            JsonNode running = steps.get(stepsPrinted);
            announceRollback(running, deploy);
            out.print(CLEAR_LINE + line(running));
            runningLineShown = true;
        }
        out.flush();
    }

    /** The rollback's steps come under a line of their own, so they cannot be read as the deploy's. */
    private void announceRollback(JsonNode step, JsonNode deploy) {
        if (step.path("rollback").asBoolean() && !rollbackAnnounced) {
            endRunningLine();
            out.println("rolling back to slot " + deploy.path("from").asText() + ":");
            rollbackAnnounced = true;
        }
    }

    private void endRunningLine() {
        if (runningLineShown) {
            out.print(CLEAR_LINE);
            runningLineShown = false;
        }
    }

    private static String line(JsonNode step) {
        String detail = step.path("detail").asText("");
        return String.format(Locale.ROOT, "  %-11s %-9s %6s  %s", step.path("step").asText(),
                step.path("outcome").asText(), DurationText.human(step.path("duration_seconds").asDouble()), detail)
                .stripTrailing();
    }

    private int finish(JsonNode deploy) {
        String state = deploy.path("state").asText();
        if (json) {
            out.println(deploy.toPrettyString());
            return state.equals("succeeded") ? Main.OK : Main.REFUSED;
        }
        String id = deploy.path("id").asText();
        String took = DurationText.human(deploy.path("duration_seconds").asDouble());
        JsonNode failure = deploy.path("failure");
        String why = failure.isObject()
                ? failure.path("step").asText() + ": " + failure.path("reason").asText()
                : "no reason recorded";
        String from = deploy.path("from").asText();
        switch (state) {
            case "succeeded" -> {
                out.println("succeeded in " + took + ": slot " + deploy.path("slot").asText() + " serves");
                return Main.OK;
            }
            case "rolled_back" -> {
                out.println("rolled back in " + took + ": slot " + from + " serves");
                err.println("holdport: deploy " + id + " rolled back: " + why);
            }
            case "cancelled" -> {
                out.println("cancelled after " + took + ": slot " + from + " serves");
                err.println("holdport: deploy " + id + " was cancelled: " + why);
            }
            case "failed" -> {
                out.println("failed after " + took + ": the rollback failed too; the route was resumed to slot " + from);
                err.println("holdport: deploy " + id + " failed: " + why);
            }
            default -> {
                out.println(state + " after " + took);
                err.println("holdport: deploy " + id + " ended " + state + ": " + why);
            }
        }
        return Main.REFUSED;
    }

    /**
     * Waits until the next poll is due, {@link #POLL_INTERVAL} after the previous one began. This
     * paces the polling (it waits for nothing in particular); a slow answer shortens the wait
     * instead of adding to it, so the pace stays one poll per interval.
     */
    private void awaitNextPoll() throws AdminClient.UnreachableException {
        long left;
        while ((left = nextPollAt - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left); // may return early: the loop checks the deadline again
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new AdminClient.UnreachableException("interrupted");
            }
        }
        nextPollAt = System.nanoTime() + POLL_INTERVAL.toNanos();
    }
}
