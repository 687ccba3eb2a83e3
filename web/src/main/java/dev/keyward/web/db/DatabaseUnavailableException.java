package dev.keyward.web.db;

/** The database cannot be reached right now (rendered as 503; the pool reconnects by itself). */
public class DatabaseUnavailableException extends RuntimeException {
    public DatabaseUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
