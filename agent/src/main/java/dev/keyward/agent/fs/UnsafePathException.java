package dev.keyward.agent.fs;

import java.io.IOException;

/**
 * A managed path is not safe to write: a symbolic link where a directory or file should be, something that is
 * not a regular file, or a directory sshd's StrictModes would reject and the agent does not own. Nothing was
 * written.
 */
public final class UnsafePathException extends IOException {
    public UnsafePathException(String message) {
        super(message);
    }
}
