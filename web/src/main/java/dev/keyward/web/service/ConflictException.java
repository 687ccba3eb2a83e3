package dev.keyward.web.service;

/** The request conflicts with the current state (a join token used twice, a key added twice): 409. */
public class ConflictException extends RuntimeException {
    public ConflictException(String message) {
        super(message);
    }
}
