package dev.keyward.web.http.limits;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * HTTP/1.1 connections whose requests must arrive in time: the request line and headers within
 * {@code http.limits.header_timeout} of the request's first byte, the body within {@code http.limits.body_timeout}
 * of the end of the headers.
 *
 * <p>Jetty's idle timeout alone does not do this: it restarts with every byte, so a client that sends one byte every
 * few seconds keeps a request open for as long as it likes (while headers trickle in, a connection and its buffer;
 * once they are complete, the worker thread that reads the body). When a deadline passes, the connection does what
 * it does on an idle timeout: before the headers are complete it is closed (no handler has run); while a handler
 * waits for the body, the read fails with a {@link TimeoutException} (the API answers 408) and the connection is
 * closed after the response, because the body was not read.
 *
 * <p>The deadlines follow the parser's events: armed when the first byte of a request is parsed, moved on when the
 * headers are complete (to none when there is no body), cleared when the message is complete, malformed or cut short.
 */
public final class RequestDeadlines extends HttpConnectionFactory {
    private final long headerNanos;
    private final long bodyNanos;
    private final Consumer<String> onExpired;

    /**
     * @param onExpired told {@code "headers"} or {@code "body"} when a deadline passes (a metric)
     */
    public RequestDeadlines(HttpConfiguration config, Optional<Duration> headerTimeout, Optional<Duration> bodyTimeout,
            Consumer<String> onExpired) {
        super(config);
        this.headerNanos = headerTimeout.map(Duration::toNanos).orElse(0L);
        this.bodyNanos = bodyTimeout.map(Duration::toNanos).orElse(0L);
        this.onExpired = onExpired;
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        if (headerNanos == 0 && bodyNanos == 0) {
            return super.newConnection(connector, endPoint);
        }
        HttpConnection c = new DeadlineConnection(getHttpConfiguration(), connector, endPoint);
        c.setTransferEncodingChunkMaxLength(getTransferEncodingChunkMaxLength());
        return configure(c, connector, endPoint);
    }

    private final class DeadlineConnection extends HttpConnection {
        private final Scheduler scheduler;
        /** Bumped whenever the deadline changes, so that a task that fires late for an earlier phase does nothing. */
        private final AtomicLong phase = new AtomicLong();
        private final AtomicReference<Scheduler.Task> task = new AtomicReference<>();
        /** Parsing-thread state: whether the current message has begun (messageBegin is also called with no bytes). */
        private boolean begun;

        DeadlineConnection(HttpConfiguration config, Connector connector, EndPoint endPoint) {
            super(config, connector, endPoint);
            this.scheduler = connector.getScheduler();
        }

        @Override
        protected RequestHandler newRequestHandler() {
            return new RequestHandler() {
                @Override
                public void messageBegin() {
                    super.messageBegin();
                    if (!begun && !isRequestBufferEmpty()) {
                        begun = true;
                        arm(headerNanos, "headers");
                    }
                }

                @Override
                public boolean headerComplete() {
                    HttpParser p = getParser();
                    arm(p.getContentLength() > 0 || p.isChunking() ? bodyNanos : 0, "body");
                    return super.headerComplete();
                }

                @Override
                public boolean messageComplete() {
                    end();
                    return super.messageComplete();
                }

                @Override
                public void badMessage(HttpException failure) {
                    end();
                    super.badMessage(failure);
                }

                @Override
                public void earlyEOF() {
                    end();
                    super.earlyEOF();
                }
            };
        }

        @Override
        public void onClose(Throwable cause) {
            arm(0, null);
            super.onClose(cause);
        }

        private void end() {
            begun = false;
            arm(0, null);
        }

        private void arm(long nanos, String what) {
            long id = phase.incrementAndGet();
            Scheduler.Task next = nanos > 0 ? scheduler.schedule(() -> expire(id, what), nanos, TimeUnit.NANOSECONDS)
                    : null;
            Scheduler.Task previous = task.getAndSet(next);
            if (previous != null) {
                previous.cancel();
            }
        }

        private void expire(long id, String what) {
            if (phase.get() != id) {
                return;
            }
            onExpired.accept(what);
            TimeoutException t = new TimeoutException("the request " + what + " did not arrive within "
                    + (what.equals("headers") ? "http.limits.header_timeout" : "http.limits.body_timeout"));
            // what Jetty's idle timeout does: fail a pending read while a handler runs, else close
            if (onIdleExpired(t)) {
                getEndPoint().close(t);
            }
        }
    }
}
