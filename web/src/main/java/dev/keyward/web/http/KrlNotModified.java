package dev.keyward.web.http;

import dev.keyward.web.metrics.ServerMetrics;
import dev.keyward.web.service.KrlService;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The hot path of agents polling the KRL: {@code GET /api/v1/krl} with an {@code If-None-Match} that matches the
 * current version is answered 304 here, in front of the servlet layer (sessions, Javalin's context, routing), with
 * the same headers {@link PublicHandlers#krl} sets. The version comes from {@link KrlService#current()}, so it is as
 * fresh as on the full path. Anything else (no or another ETag, another path or method, an error while finding
 * the version) goes on to the API as before.
 */
final class KrlNotModified extends Handler.Wrapper {
    static final String PATH = Routes.API + "/krl";

    private final KrlService krl;
    private final ServerMetrics metrics;

    KrlNotModified(KrlService krl, ServerMetrics metrics) {
        this.krl = krl;
        this.metrics = metrics;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (HttpMethod.GET.is(request.getMethod()) && PATH.equals(request.getHttpURI().getPath())) {
            String ifNoneMatch = request.getHeaders().get(HttpHeader.IF_NONE_MATCH);
            if (ifNoneMatch != null) {
                KrlService.Krl k;
                try {
                    k = krl.current();
                } catch (RuntimeException e) {
                    return super.handle(request, response, callback); // the full path renders the problem
                }
                String etag = k.etag();
                if (PublicHandlers.matches(ifNoneMatch, etag)) {
                    HttpFields.Mutable h = response.getHeaders();
                    h.put(HttpHeader.ETAG, etag);
                    h.put(HttpHeader.CACHE_CONTROL, "no-cache");
                    h.put("X-Keyward-Krl-Version", Long.toUnsignedString(k.version()));
                    response.setStatus(304);
                    metrics.krlRequest(true);
                    callback.succeeded();
                    return true;
                }
            }
        }
        return super.handle(request, response, callback);
    }
}
