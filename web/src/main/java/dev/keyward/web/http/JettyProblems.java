package dev.keyward.web.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own error responses (requests refused before they reach Javalin: headers over the limit (431), a URI
 * too long (414), a request line or header that does not parse (400)) as problem+json like every other error,
 * instead of Jetty's HTML page. The detail is Jetty's reason phrase for the status; nothing of the request is
 * echoed and no stack trace is shown.
 */
final class JettyProblems extends ErrorHandler {
    JettyProblems() {
        setShowStacks(false);
        setShowCauses(false);
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) throws IOException {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problems.CONTENT_TYPE);
        response.getHeaders().put(HttpHeader.CONNECTION, "close"); // see badMessageError
        response.write(true, ByteBuffer.wrap(body(code, message, request.getHttpURI().getPath())), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, Problems.CONTENT_TYPE);
        // Jetty closes the connection after some requests it refuses: say so, always, or a client that reuses the
        // connection for its next request sees that request fail with no answer at all
        fields.put(HttpHeader.CONNECTION, "close");
        return ByteBuffer.wrap(body(status, reason, null));
    }

    /** Every method gets the problem body (Jetty's default gives DELETE and PUT an empty one). */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    static byte[] body(int status, String reason, String path) {
        String title = Problems.reason(status);
        String detail = switch (status) {
            case 431 -> "the request headers are too large (at most 8 KiB in all)";
            case 414 -> "the request URI is too long";
            case 400 -> "the HTTP request is malformed" + (reason == null || reason.isBlank() ? "" : ": " + reason);
            default -> reason == null || reason.isBlank() ? title : reason;
        };
        try {
            return Json.MAPPER.writeValueAsBytes(Problems.body(status, title, detail, null, path));
        } catch (JsonProcessingException e) {
            return ("{\"status\":" + status + "}").getBytes(StandardCharsets.US_ASCII);
        }
    }
}
