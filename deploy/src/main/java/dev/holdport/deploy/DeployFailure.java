package dev.holdport.deploy;

/**
 * Why a deploy did not succeed.
 *
 * @param step   the step that failed, as {@link DeployStep#name()} ({@code "ready b"})
 * @param reason what went wrong ({@code "process 4711 exited with status 1 before it was ready"})
 */
public record DeployFailure(String step, String reason) {}
