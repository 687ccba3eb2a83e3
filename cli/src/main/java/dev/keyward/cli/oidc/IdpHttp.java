package dev.keyward.cli.oidc;

import dev.keyward.ca.json.Json;
import dev.keyward.ca.json.JsonException;
import dev.keyward.ca.json.JsonObject;
import dev.keyward.cli.config.ServerUrl;
import dev.keyward.cli.server.BoundedExchange;
import dev.keyward.cli.server.Printable;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * HTTP to the identity provider: JSON documents (discovery, JWKS) and form posts to its token and device
 * endpoints (RFC 6749 section 4.1.3: {@code application/x-www-form-urlencoded}, UTF-8). Every URL is https, or
 * plain http to a loopback address only ({@link #endpoint}); redirects are not followed; answers are capped at
 * {@link #MAX_BODY} bytes; every failure is a {@link SignInException} naming the step.
 */
final class IdpHttp {
    static final int MAX_BODY = 256 * 1024;
    private static final String USER_AGENT = "keyward-cli/0.1";

    private final HttpClient http;
    private final Duration timeout;

    IdpHttp(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** An answer: its status and body. */
    record Answer(int status, byte[] body) {
        boolean ok() {
            return status == 200;
        }
    }

    /**
     * {@code value} as an identity provider URL: absolute, https (plain http only to a loopback address: tokens
     * and keys crossing the network readable could be stolen or replaced), no fragment. {@code what} names it.
     */
    static URI endpoint(String what, String value) {
        URI u;
        try {
            u = new URI(value);
        } catch (URISyntaxException e) {
            throw new SignInException(what + " '" + Printable.clean(value, 200) + "' is not a URL");
        }
        String scheme = ServerUrl.scheme(u);
        if (!u.isAbsolute() || u.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))
                || u.getRawFragment() != null || u.getRawUserInfo() != null) {
            throw new SignInException(what + " '" + Printable.clean(value, 200) + "' is not an https:// URL");
        }
        if (scheme.equals("http") && !ServerUrl.isLoopback(u.getHost())) {
            throw new SignInException(what + " '" + Printable.clean(value, 200) + "' is plain http to a remote host;"
                    + " the identity provider must be reached over https");
        }
        return u;
    }

    /** GET a JSON object; {@code what} names it in errors ("the discovery document of ..."). */
    <T> T getJson(URI url, String what, JsonObject.Reader<T> reader) {
        return read(get(url, what), what, reader);
    }

    /** GET, 200 only: the body. */
    byte[] get(URI url, String what) {
        Answer a = send(HttpRequest.newBuilder(url).GET(), what);
        if (!a.ok()) {
            throw new SignInException("the identity provider answered HTTP " + a.status() + " for " + what);
        }
        return a.body();
    }

    /** POST a form; the answer whatever its status (OAuth errors come as 400 with a JSON body). */
    Answer postForm(URI url, Map<String, String> form, String what) {
        String body = form.entrySet().stream()
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue())).collect(Collectors.joining("&"));
        return send(HttpRequest.newBuilder(url).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)), what);
    }

    static <T> T read(byte[] body, String what, JsonObject.Reader<T> reader) {
        try {
            return Json.read(body, reader);
        } catch (JsonException e) {
            throw new SignInException(what + " from the identity provider is not valid: "
                    + Printable.clean(e.getMessage(), 200));
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private Answer send(HttpRequest.Builder b, String what) {
        HttpRequest req = b.timeout(timeout).header("User-Agent", USER_AGENT).header("Accept", "application/json")
                .build();
        String host = req.uri().getScheme() + "://" + req.uri().getRawAuthority();
        BoundedExchange.Answer resp = BoundedExchange.send(http, req, timeout, MAX_BODY,
                "the identity provider at " + host, what, "", SignInException::new);
        if (resp.status() >= 300 && resp.status() < 400) {
            throw new SignInException("the identity provider answered with a redirect (HTTP " + resp.status()
                    + ") for " + what + "; check the issuer URL in the server's oidc.issuer");
        }
        return new Answer(resp.status(), resp.body());
    }
}
