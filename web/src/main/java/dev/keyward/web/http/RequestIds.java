package dev.keyward.web.http;

import dev.keyward.web.logging.RequestLogContext;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Gives every request an ID, sent back in {@code X-Request-Id} and written in the JSON log's {@code request_id} of
 * each line logged while the request is handled ({@link RequestLogContext}), so that a client's report (the header)
 * leads to the server's lines. The outermost handler: KRL 304s and Javalin's responses, errors included, carry it.
 * The ID is the server's own (16 random hex digits); one a client sends is not taken, so that it cannot put text
 * of its choosing into the log or make two requests look like one.
 */
final class RequestIds extends Handler.Wrapper {
    static final String HEADER = "X-Request-Id";

    RequestIds(Handler next) {
        super(next);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        response.getHeaders().put(HEADER, id);
        // Javalin runs a route's handler on this thread, so its lines are marked; what runs after a long poll's wait,
        // on the thread that ends it, logs without the ID
        RequestLogContext.set(id);
        try {
            return super.handle(request, response, callback);
        } finally {
            RequestLogContext.clear();
        }
    }
}
