package dev.keyward.agent.sync;

/** A cycle would remove more keys than the bulk-purge guard allows without confirmation; nothing was changed. */
public final class BulkPurgeException extends Exception {
    public BulkPurgeException(String message) {
        super(message);
    }
}
