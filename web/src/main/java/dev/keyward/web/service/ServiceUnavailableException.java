package dev.keyward.web.service;

/** The server cannot take this request now (overloaded or shutting down): 503, retry later. */
public class ServiceUnavailableException extends RuntimeException {
    public ServiceUnavailableException(String message) {
        super(message);
    }
}
