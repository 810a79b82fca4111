package dev.holdport.admin;

/**
 * Why holdport did not start: which part failed (the data plane, slot supervision, the admin
 * API) and why, with the reasons of the underlying exceptions (Jetty's "Failed to bind" says
 * little without the system's "Address already in use" under it). Whatever had started is
 * stopped again before this is thrown.
 */
public final class StartFailure extends Exception {

    private static final long serialVersionUID = 1L;

    private final boolean configError;
    private final boolean stopRequested;

    /**
     * @param part        what could not start, as the message names it: {@code the admin API}
     * @param configError the config asks for something holdport refuses (exit code 2), as
     *                    opposed to something the machine refused (exit code 1)
     */
    StartFailure(String part, Throwable cause, boolean configError) {
        super("cannot start " + part + ": " + reasons(cause), cause);
        this.configError = configError;
        this.stopRequested = false;
    }

    private StartFailure(String why) {
        super(why);
        this.configError = false;
        this.stopRequested = true;
    }

    /** Not a failure: holdport was asked to stop (a signal) before it had started, and has stopped (exit 0). */
    static StartFailure stopRequested(String why) {
        return new StartFailure(why);
    }

    public boolean isConfigError() {
        return configError;
    }

    public boolean isStopRequested() {
        return stopRequested;
    }

    /** An exception's message followed by each cause's that adds something. */
    static String reasons(Throwable e) {
        StringBuilder text = new StringBuilder(e.getMessage() == null ? e.toString() : e.getMessage());
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            String message = cause.getMessage();
            if (message != null && !message.isBlank() && text.indexOf(message) < 0) {
                text.append(": ").append(message);
            }
        }
        return text.toString();
    }
}
