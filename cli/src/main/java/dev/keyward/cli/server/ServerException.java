package dev.keyward.cli.server;

import dev.keyward.ca.InvalidInputException;

/**
 * The server refused, failed or could not be reached. The message is for the engineer: what happened and what
 * to do. {@link #status()} is the HTTP status, or 0 when there was no answer.
 */
public final class ServerException extends InvalidInputException {
    private final int status;

    public ServerException(int status, String message) {
        super(message);
        this.status = status;
    }

    public ServerException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
    }

    public int status() {
        return status;
    }
}
