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
        if (!json) {
            out.println((started.path("rollback").asBoolean() ? "rollback " : "deploy ") + started.path("id").asText()
                    + ": " + started.path("mode").asText() + " from " + started.path("from").asText() + " to "
                    + started.path("slot").asText());
            out.flush();
        }
        try {
            return finish(awaitEnd(started, true));
        } catch (Refused refused) {
            return onRefusal.applyAsInt(refused.answer);
        } catch (NotADeploy e) {
            return Main.REFUSED;
        }
    }

    /**
     * Waits, without printing the steps, until a deploy being cancelled has ended (its rollback
     * done), then prints how it ended.
     *
     * @param cancelling the deploy as {@code DELETE /deploys/{id}} answered it
     * @return {@link Main#OK} when it ended rolled back or cancelled (its previous slot serves),
     *     else {@link Main#REFUSED}: it ended some other way (succeeded before the cancel could
     *     stop it, failed, interrupted)
     */
    int awaitCancelled(JsonNode cancelling, ToIntFunction<AdminClient.Answer> onRefusal)
            throws AdminClient.UnreachableException {
        JsonNode deploy;
        try {
            deploy = awaitEnd(cancelling, false);
        } catch (Refused refused) {
            return onRefusal.applyAsInt(refused.answer);
        } catch (NotADeploy e) {
            return Main.REFUSED;
        }
        String state = deploy.path("state").asText();
        boolean undone = state.equals("cancelled") || state.equals("rolled_back");
        return report(deploy, undone, "was not rolled back: it ended " + state
                + (state.equals("succeeded") ? " before the cancel could stop it" : ": " + why(deploy)));
    }

    /** A poll the API refused. */
    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final transient AdminClient.Answer answer;

        Refused(AdminClient.Answer answer) {
            super(null, null, false, false);
            this.answer = answer;
        }
    }

    /** A poll answered something that is not a deploy (said on stderr). */
    private static final class NotADeploy extends Exception {
        private static final long serialVersionUID = 1L;

        NotADeploy() {
            super(null, null, false, false);
        }
    }

    /** Polls {@code GET /deploys/{id}} until the deploy is no longer running; returns it as it ended. */
    private JsonNode awaitEnd(JsonNode deploy, boolean printSteps)
            throws AdminClient.UnreachableException, Refused, NotADeploy {
        String id = deploy.path("id").asText();
        String path = AdminClient.deployPath(id);
        nextPollAt = System.nanoTime() + POLL_INTERVAL.toNanos();
        while (true) {
            if (printSteps) {
                showSteps(deploy);
            }
            if (!"running".equals(deploy.path("state").asText())) {
                return deploy;
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
                throw new Refused(answer);
            }
            try {
                deploy = AdminCommand.MAPPER.readTree(answer.body());
            } catch (IOException e) {
                endRunningLine();
                err.println("holdport: GET " + path + " answered something that is not a deploy: " + answer.body().strip());
                throw new NotADeploy();
            }
        }
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
        String ended = switch (state) {
            case "rolled_back" -> "rolled back";
            case "cancelled" -> "was cancelled";
            case "failed" -> "failed";
            default -> "ended " + state;
        };
        return report(deploy, state.equals("succeeded"), ended + ": " + why(deploy));
    }

    /**
     * Prints how a deploy ended (its JSON, or the summary line) and, when that is not what the
     * command asked for, {@code notOk} on stderr; returns the exit code.
     */
    private int report(JsonNode deploy, boolean ok, String notOk) {
        if (json) {
            out.println(deploy.toPrettyString());
        } else {
            out.println(summary(deploy));
            if (!ok) {
                err.println("holdport: deploy " + deploy.path("id").asText() + " " + notOk);
            }
        }
        return ok ? Main.OK : Main.REFUSED;
    }

    /** How a deploy ended, in one line: {@code succeeded in 1.3s: slot b serves}. */
    private static String summary(JsonNode deploy) {
        String took = DurationText.human(deploy.path("duration_seconds").asDouble());
        String from = deploy.path("from").asText();
        String state = deploy.path("state").asText();
        return switch (state) {
            case "succeeded" -> "succeeded in " + took + ": slot " + deploy.path("slot").asText() + " serves";
            case "rolled_back" -> "rolled back in " + took + ": slot " + from + " serves";
            case "cancelled" -> "cancelled after " + took + ": slot " + from + " serves";
            // What then serves (resumed to the previous slot, or paused for crash masking) is in
            // the failure's reason, printed after this line.
            case "failed" -> "failed after " + took + ": the rollback to slot " + from + " failed too";
            default -> state + " after " + took;
        };
    }

    /** The step that failed and why, as the deploy records it. */
    private static String why(JsonNode deploy) {
        JsonNode failure = deploy.path("failure");
        return failure.isObject()
                ? failure.path("step").asText() + ": " + failure.path("reason").asText()
                : "no reason recorded";
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
