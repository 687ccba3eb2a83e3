package dev.keyward.web.logging;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.function.Supplier;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.FormattingTuple;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * Writes each event as one line of JSON: {@code time} (UTC, milliseconds), {@code level}, {@code logger},
 * {@code message} (the arguments filled in, as in the text format), {@code request_id} while an HTTP request is being
 * handled on the thread, and {@code exception} (the stack trace, as the text format prints it) when there is one.
 * Strings are escaped by Jackson, so a message holding a line break or a quote stays one line of valid JSON.
 */
final class JsonLogger extends LegacyAbstractLogger {
    private static final JsonFactory JSON = new JsonFactory();
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final int level;
    private final Clock clock;
    private final Supplier<PrintStream> out;

    JsonLogger(String name, Clock clock, Supplier<PrintStream> out) {
        this.name = name;
        this.level = LogLevels.of(name);
        this.clock = clock;
        this.out = out;
    }

    @Override
    public boolean isTraceEnabled() {
        return level <= Level.TRACE.toInt();
    }

    @Override
    public boolean isDebugEnabled() {
        return level <= Level.DEBUG.toInt();
    }

    @Override
    public boolean isInfoEnabled() {
        return level <= Level.INFO.toInt();
    }

    @Override
    public boolean isWarnEnabled() {
        return level <= Level.WARN.toInt();
    }

    @Override
    public boolean isErrorEnabled() {
        return level <= Level.ERROR.toInt();
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level lvl, Marker marker, String pattern, Object[] args, Throwable t) {
        FormattingTuple m = MessageFormatter.arrayFormat(pattern, args, t);
        byte[] line = line(lvl, m.getMessage(), m.getThrowable());
        PrintStream ps = out.get();
        synchronized (ps) { // one write per line: lines from several threads never interleave
            ps.write(line, 0, line.length);
            ps.flush();
        }
    }

    private byte[] line(Level lvl, String message, Throwable t) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(160);
        try (JsonGenerator g = JSON.createGenerator(buf)) {
            g.writeStartObject();
            g.writeStringField("time", TIME.format(clock.instant()));
            g.writeStringField("level", lvl.name());
            g.writeStringField("logger", name);
            g.writeStringField("message", message);
            String requestId = RequestLogContext.requestId();
            if (requestId != null) {
                g.writeStringField("request_id", requestId);
            }
            if (t != null) {
                StringWriter trace = new StringWriter();
                t.printStackTrace(new PrintWriter(trace));
                g.writeStringField("exception", trace.toString().stripTrailing());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not reached: the target is memory
        }
        buf.write('\n');
        return buf.toByteArray();
    }
}
