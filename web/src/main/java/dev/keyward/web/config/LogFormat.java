package dev.keyward.web.config;

import java.util.Locale;

/**
 * How {@code keyward-server} writes its log ({@code log.format}, {@code KEYWARD_LOG_FORMAT}, {@code --log-format}):
 * one line per event either way, on stderr.
 */
public enum LogFormat {
    /** {@code 2026-12-04T20:15:07.123Z INFO dev.keyward.web.KeywardServer - message}: for people and grep. */
    TEXT,
    /**
     * One JSON object per line ({@code time}, {@code level}, {@code logger}, {@code message}, {@code request_id} for
     * lines written while a request was handled, {@code exception}): for log shippers.
     */
    JSON;

    /** {@code text} or {@code json}; anything else is refused naming {@code key}. */
    public static LogFormat parse(String key, String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "text" -> TEXT;
            case "json" -> JSON;
            default -> throw new ConfigException(key + " must be text or json, got '" + value + "'");
        };
    }
}
