package dev.keyward.web.logging;

/**
 * The ID of the HTTP request the current thread is handling, for the log lines written meanwhile. A plain
 * {@link ThreadLocal}, not SLF4J's MDC: the MDC of the SLF4J implementations at hand is inheritable, so a thread
 * that Jetty's pool (or the issuance batcher) starts from a request's thread would carry that request's ID into
 * every line it writes afterwards.
 */
public final class RequestLogContext {
    private static final ThreadLocal<String> REQUEST_ID = new ThreadLocal<>();

    private RequestLogContext() {
    }

    /** The request being handled on this thread, or null. */
    public static String requestId() {
        return REQUEST_ID.get();
    }

    /** Marks this thread as handling request {@code id} until {@link #clear()}. */
    public static void set(String id) {
        REQUEST_ID.set(id);
    }

    public static void clear() {
        REQUEST_ID.remove();
    }
}
