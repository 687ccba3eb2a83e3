package dev.keyward.agent.config;

/** The agent's configuration is unusable; the message names the key and the fix. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
