package dev.holdport.deploy;

/** A slot's process did not become ready: it exited, or the readiness timeout passed. */
final class NotReadyException extends Exception {

    private static final long serialVersionUID = 1L;

    NotReadyException(String reason) {
        super(reason);
    }
}
