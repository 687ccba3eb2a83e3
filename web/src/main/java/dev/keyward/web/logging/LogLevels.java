package dev.keyward.web.logging;

import java.util.Locale;
import org.slf4j.event.Level;

/**
 * A logger's level from the system properties slf4j-simple reads ({@code org.slf4j.simpleLogger.defaultLogLevel},
 * {@code org.slf4j.simpleLogger.log.<name or a prefix of it>}), so that both formats log the same events and an
 * operator sets levels one way.
 */
final class LogLevels {
    static final String PREFIX = "org.slf4j.simpleLogger.";
    /** Above {@link Level#ERROR}: nothing is logged. */
    static final int OFF = Level.ERROR.toInt() + 10;

    private LogLevels() {
    }

    /** The lowest level {@code loggerName} logs ({@link Level#toInt()}), or {@link #OFF}. */
    static int of(String loggerName) {
        String name = loggerName;
        while (true) {
            String v = System.getProperty(PREFIX + "log." + name);
            if (v != null) {
                return parse(v);
            }
            int dot = name.lastIndexOf('.');
            if (dot < 0) {
                return parse(System.getProperty(PREFIX + "defaultLogLevel", "info"));
            }
            name = name.substring(0, dot);
        }
    }

    /** slf4j-simple's level names; anything it does not know is INFO, as there. */
    private static int parse(String level) {
        return switch (level.strip().toLowerCase(Locale.ROOT)) {
            case "trace" -> Level.TRACE.toInt();
            case "debug" -> Level.DEBUG.toInt();
            case "warn" -> Level.WARN.toInt();
            case "error" -> Level.ERROR.toInt();
            case "off" -> OFF;
            default -> Level.INFO.toInt();
        };
    }
}
