package dev.keyward.web.config;

/** The configuration is unusable; the message names the key (e.g. {@code http.port}) and the fix. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
