package dev.keyward.ca.sign;

/**
 * The signer cannot sign now because it lost its key (the token's session, objects or device went away) and is
 * finding it again by itself: retry later. Nothing was signed. The message says which key, why and since when,
 * and holds no secret.
 */
public class SignerUnavailableException extends SignerException {
    public SignerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
