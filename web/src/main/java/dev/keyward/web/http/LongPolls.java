package dev.keyward.web.http;

import io.javalin.http.Context;
import java.time.Duration;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;

/** Keeps a long-polled connection open: Jetty's idle timeout (30 s by default) would cut a quiet wait short. */
final class LongPolls {
    private LongPolls() {
    }

    static void extendIdleTimeout(Context ctx, Duration atLeast) {
        try {
            ServletContextRequest r = ServletContextRequest.getServletContextRequest(ctx.req());
            if (r != null) {
                var endPoint = r.getConnectionMetaData().getConnection().getEndPoint();
                if (endPoint.getIdleTimeout() < atLeast.toMillis()) {
                    endPoint.setIdleTimeout(atLeast.toMillis());
                }
            }
        } catch (RuntimeException | LinkageError e) {
            // not Jetty's servlet request (or another Jetty): the wait may end at the idle timeout; agents retry
        }
    }
}
