package dev.keyward.web.backup;

/** A backup or restore that cannot be done as asked (a non-empty target, a damaged backup): nothing was changed. */
public final class BackupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BackupException(String message) {
        super(message);
    }
}
