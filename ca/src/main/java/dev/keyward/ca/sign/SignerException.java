package dev.keyward.ca.sign;

/** The signer could not sign (token unreachable, session lost, key missing): an internal error, not a user error. */
public class SignerException extends RuntimeException {
    public SignerException(String message, Throwable cause) {
        super(message, cause);
    }

    public SignerException(String message) {
        super(message);
    }
}
