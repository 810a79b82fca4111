package dev.holdport.deploy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An immutable snapshot of one deploy: what was asked, every step so far and, once finished,
 * how it ended.
 *
 * @param id         unique id ({@code web-20250114T120301Z-3f2a}), for {@code GET /deploys/{id}}
 * @param route      the route deployed
 * @param slot       the slot deployed (the target)
 * @param fromSlot   the slot that was active when the deploy began (where a rollback returns)
 * @param mode       switch, exclusive or restart
 * @param rollback   true when asked for as a rollback ({@code POST /routes/{route}/rollback})
 * @param timeout    the time limit asked for, if any
 * @param startedAt  when it began
 * @param finishedAt when it ended; empty while running
 * @param state      running, or how it ended
 * @param steps      every step, in order (forward steps, then any rollback steps)
 * @param failure    for rolled_back, cancelled and failed: the step that failed and why
 */
public record Deploy(
        String id,
        String route,
        String slot,
        String fromSlot,
        DeployMode mode,
        boolean rollback,
        Optional<Duration> timeout,
        Instant startedAt,
        Optional<Instant> finishedAt,
        DeployState state,
        List<DeployStep> steps,
        Optional<DeployFailure> failure) {

    public Deploy {
        steps = List.copyOf(steps);
    }

    public boolean finished() {
        return state.finished();
    }

    /** How long it ran (so far, while running). */
    public Duration duration() {
        return Duration.between(startedAt, finishedAt.orElseGet(Instant::now));
    }

    /** The step running now, if any. */
    public Optional<DeployStep> currentStep() {
        return steps.stream().filter(s -> s.outcome() == StepOutcome.RUNNING).findFirst();
    }
}
