package dev.keyward.web.service;

/** The caller is known but may not do this (a host asking about a key that is not its own): 403. */
public class ForbiddenException extends RuntimeException {
    public ForbiddenException(String message) {
        super(message);
    }
}
