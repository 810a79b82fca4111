package dev.holdport.deploy;

/**
 * A deploy that cannot be done as asked, whatever the timing: a mode the slots do not allow
 * (exclusive with a slot holdport cannot start), a switch to the slot already active, a rollback
 * with no previous slot known. The API answers 400 (or 409/422 as it sees fit) with the message.
 */
public class InvalidDeployException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public InvalidDeployException(String message) {
        super(message);
    }
}
