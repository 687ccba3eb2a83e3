package dev.keyward.cli.server;

import dev.keyward.ca.InvalidInputException;

/**
 * The server refused, failed or could not be reached. The message is for the engineer: what happened and what
 * to do (the CLI prints it as its one line and exits 1).
 */
public final class ServerException extends InvalidInputException {
    public ServerException(String message) {
        super(message);
    }

    public ServerException(String message, Throwable cause) {
        super(message, cause);
    }
}
