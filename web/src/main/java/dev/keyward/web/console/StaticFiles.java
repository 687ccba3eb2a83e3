package dev.keyward.web.console;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The console's stylesheet and its one script, read from the jar once: nothing the console uses comes from
 * anywhere else (no CDN, no web fonts), which the CSP enforces.
 */
final class StaticFiles {
    private final byte[] css = load("console.css");
    private final byte[] js = load("console.js");

    void css(Context ctx, Visit none) {
        serve(ctx, "text/css; charset=utf-8", css);
    }

    void js(Context ctx, Visit none) {
        serve(ctx, "text/javascript; charset=utf-8", js);
    }

    private static void serve(Context ctx, String type, byte[] body) {
        ctx.header("Cache-Control", "public, max-age=3600");
        ctx.status(200).contentType(type).result(body);
    }

    private static byte[] load(String name) {
        try (InputStream in = StaticFiles.class.getResourceAsStream("/console/static/" + name)) {
            if (in == null) {
                throw new IllegalStateException("console/static/" + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
