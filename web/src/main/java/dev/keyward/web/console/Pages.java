package dev.keyward.web.console;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.http.Context;
import java.util.Map;

/**
 * Renders the console's jte templates ({@code src/main/jte}), compiled to classes at build time: the server loads
 * them like any class and has no template compiler. Content type HTML: every {@code ${...}} is escaped for where
 * it stands (element text, attribute value), so text from the database (a comment, a key ID) stays text.
 */
final class Pages {
    private final TemplateEngine engine = TemplateEngine.createPrecompiled(ContentType.Html);

    void render(Context ctx, int status, String template, Map<String, Object> params) {
        StringOutput out = new StringOutput();
        engine.render(template + ".jte", params, out);
        ctx.status(status).contentType("text/html; charset=utf-8").result(out.toString());
    }
}
