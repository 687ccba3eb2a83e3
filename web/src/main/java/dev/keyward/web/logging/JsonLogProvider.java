package dev.keyward.web.logging;

import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J provider of {@code log.format: json}: {@link JsonLogger}s on stderr. Not registered as a service (the
 * text format, slf4j-simple, is the one SLF4J finds); {@link LogOutput#use} names it in the {@code slf4j.provider}
 * system property before the first logger is made.
 */
public final class JsonLogProvider implements SLF4JServiceProvider {
    private Loggers loggers;
    private IMarkerFactory markers;
    private MDCAdapter mdc;

    @Override
    public void initialize() {
        loggers = new Loggers();
        markers = new BasicMarkerFactory();
        mdc = new BasicMDCAdapter();
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return loggers;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    /** One {@link JsonLogger} per name. */
    static final class Loggers implements ILoggerFactory {
        private final ConcurrentMap<String, Logger> made = new ConcurrentHashMap<>();
        private final Clock clock = Clock.systemUTC();

        @Override
        public Logger getLogger(String name) {
            // System.err as it is when each line is written (not when the logger was made), as slf4j-simple does
            return made.computeIfAbsent(name, n -> new JsonLogger(n, clock, () -> System.err));
        }
    }
}
