package dev.holdport.deploy;

/**
 * Why a deploy did not succeed.
 *
 * @param step            the step that failed, as {@link DeployStep#name()} ({@code "ready b"})
 * @param reason          what went wrong ({@code "process 4711 exited with status 1 before it was ready"})
 * @param routeLeftPaused the deploy ended with its route still paused, holding the clients it held:
 *                        holdport shut down during it (the next holdport starts the route paused),
 *                        or its rollback failed and crash masking took the paused route over. The
 *                        reason says the same in words; this is the fact to act on.
 */
public record DeployFailure(String step, String reason, boolean routeLeftPaused) {

    /** A failure after which the route was not left paused by the deploy. */
    public DeployFailure(String step, String reason) {
        this(step, reason, false);
    }
}
