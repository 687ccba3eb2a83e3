package dev.keyward.web.logging;

import dev.keyward.web.config.LogFormat;
import org.slf4j.LoggerFactory;

/** Selects the log format; it must run before anything makes a logger (SLF4J binds its provider once). */
public final class LogOutput {
    private LogOutput() {
    }

    /**
     * Makes every logger write {@code format}. SLF4J picks its provider when the first logger is made, so this comes
     * after the configuration is read (which logs nothing) and before the server starts.
     *
     * @throws IllegalStateException if SLF4J is already bound to another format (a programming error: a logger was
     *                               made too early)
     */
    public static void use(LogFormat format) {
        if (format != LogFormat.JSON) {
            return; // slf4j-simple, the provider SLF4J finds on the class path
        }
        System.setProperty("slf4j.provider", JsonLogProvider.class.getName());
        // SLF4J would say on stderr, in a line of its own (not JSON), that it loads the provider named here
        System.setProperty("slf4j.internal.verbosity", "WARN");
        if (!(LoggerFactory.getILoggerFactory() instanceof JsonLogProvider.Loggers)) {
            throw new IllegalStateException("logging started before the log format (json) was set");
        }
    }
}
