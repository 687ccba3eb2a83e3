package dev.keyward.cli.oidc;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The loopback redirect of RFC 8252 section 7.3: an HTTP listener on {@code 127.0.0.1} and a port the system picks,
 * for one sign-in. The first request to {@value #PATH} ends it: {@code check} reads its query parameters and says
 * whether the sign-in goes on (null) or why not; the browser gets a short page saying which, and the parameters
 * (or the refusal) go to {@link #await}. Other paths (a browser's favicon request) get 404 and change nothing.
 * The IP literal, not {@code localhost}, so that no resolver or firewall rule for names is involved (section 8.3).
 */
final class LoopbackRedirect implements AutoCloseable {
    static final String PATH = "/callback";

    private final HttpServer server;
    private final CompletableFuture<Map<String, String>> result = new CompletableFuture<>();

    private LoopbackRedirect(HttpServer server) {
        this.server = server;
    }

    /** Listens on 127.0.0.1 at a free port. {@code check} returns null to go on, else the reason to stop. */
    static LoopbackRedirect start(Function<Map<String, String>, String> check) {
        HttpServer s;
        try {
            s = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 0);
        } catch (IOException e) {
            throw new SignInException("cannot listen on 127.0.0.1 for the sign-in redirect: " + e.getMessage(), e);
        }
        LoopbackRedirect r = new LoopbackRedirect(s);
        s.createContext("/", ex -> r.handle(ex, check));
        s.start();
        return r;
    }

    URI redirectUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + PATH);
    }

    private void handle(HttpExchange ex, Function<Map<String, String>, String> check) throws IOException {
        try (ex) {
            if (!ex.getRequestURI().getRawPath().equals(PATH) || !ex.getRequestMethod().equals("GET")
                    || result.isDone()) {
                page(ex, 404, "Not found.");
                return;
            }
            Optional<Map<String, String>> params = query(ex.getRequestURI().getRawQuery());
            String refused = params.isEmpty() ? "the redirect's query is malformed (a parameter twice, or bad"
                    + " percent-encoding)" : check.apply(params.get());
            if (refused != null) {
                page(ex, 400, "Keyward sign-in failed: " + refused + ". Return to the terminal.");
                result.completeExceptionally(new SignInException(refused));
                return;
            }
            page(ex, 200, "Keyward received your sign-in. You can close this tab and return to the terminal.");
            result.complete(params.get());
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            throw e;
        }
    }

    /** Waits for the redirect; the parameters when {@code check} let it through. */
    Map<String, String> await(Duration timeout) {
        try {
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new SignInException("no sign-in came back from the browser within " + timeout.toMinutes()
                    + " minutes; run keyward login again (or keyward login --device)");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new SignInException("the sign-in redirect failed",
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SignInException("interrupted while waiting for the browser sign-in");
        }
    }

    /** Query parameters; empty when one is repeated or badly encoded (an ambiguous redirect is refused). */
    static Optional<Map<String, String>> query(String raw) {
        Map<String, String> m = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return Optional.of(m);
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            try {
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (m.putIfAbsent(k, v) != null) {
                    return Optional.empty();
                }
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return Optional.of(m);
    }

    private static void page(HttpExchange ex, int status, String text) throws IOException {
        String html = "<!doctype html><meta charset=utf-8><title>Keyward</title><p>"
                + text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</p>\n";
        byte[] b = html.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
