package dev.holdport.deploy;

/**
 * A deploy was asked for while another one runs on the same route (the API answers 409 and
 * names the running deploy, so the caller can watch or cancel it).
 */
public final class DeployConflictException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String route;
    private final String runningId;

    public DeployConflictException(String route, String runningId, String runningDescription) {
        super("route " + route + " already has a deploy running: " + runningId + " (" + runningDescription
                + "); wait for it to finish or cancel it");
        this.route = route;
        this.runningId = runningId;
    }

    public String route() {
        return route;
    }

    /** The id of the deploy that is running. */
    public String runningId() {
        return runningId;
    }
}
