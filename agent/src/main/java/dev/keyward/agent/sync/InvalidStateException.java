package dev.keyward.agent.sync;

/** The server's desired-state document (or a KRL, trust bundle, certificate) is invalid: nothing is changed. */
public final class InvalidStateException extends Exception {
    public InvalidStateException(String message) {
        super(message);
    }
}
