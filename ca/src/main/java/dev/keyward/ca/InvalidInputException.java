package dev.keyward.ca;

/**
 * A user error: the input (a key, a certificate request, a KRL, a URI, a flag) is not acceptable.
 * The message is meant for a person and names what is wrong and, where possible, how to fix it.
 * Servers render it as a 4xx; CLIs print it as one line and exit non-zero.
 */
public class InvalidInputException extends RuntimeException {
    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
