package dev.keyward.cli.oidc;

import dev.keyward.ca.InvalidInputException;

/**
 * Signing in at the identity provider failed or was refused. The message is for the engineer: what happened and
 * what to do (the CLI prints it as its one line and exits 1).
 */
public final class SignInException extends InvalidInputException {
    public SignInException(String message) {
        super(message);
    }

    public SignInException(String message, Throwable cause) {
        super(message, cause);
    }
}
