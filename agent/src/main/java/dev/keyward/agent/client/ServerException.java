package dev.keyward.agent.client;

import java.io.IOException;

/** The server answered with an error status (or not at all). {@code status} is 0 when there was no answer. */
public final class ServerException extends IOException {
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
