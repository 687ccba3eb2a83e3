package dev.keyward.web.auth;

/** A bearer credential was presented but is not acceptable (401); the message says why, without secrets. */
public class AuthenticationException extends RuntimeException {
    public AuthenticationException(String message) {
        super(message);
    }
}
