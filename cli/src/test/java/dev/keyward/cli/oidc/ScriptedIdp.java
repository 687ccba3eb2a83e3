package dev.keyward.cli.oidc;

import com.sun.net.httpserver.HttpServer;
import dev.keyward.cli.testing.FakeServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An identity provider on 127.0.0.1 whose device and token endpoints answer from a script, for the answers Keycloak
 * cannot be made to give on demand ({@code slow_down}, malformed documents). The real device flow is tested against
 * Keycloak in the web module ({@code SsoDeviceLoginTest}).
 */
final class ScriptedIdp implements AutoCloseable {
    record Answer(int status, String json) {
    }

    private final HttpServer server;
    final Deque<Answer> device = new ArrayDeque<>();
    final Deque<Answer> token = new ArrayDeque<>();
    /** {@code path body} of every request, in order. */
    final List<String> requests = new CopyOnWriteArrayList<>();

    ScriptedIdp() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            requests.add(path + " " + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            Answer a = switch (path) {
                case "/device" -> next(device);
                case "/token" -> next(token);
                default -> new Answer(404, "{}");
            };
            FakeServer.reply(ex, new FakeServer.Answer(a.status(), "application/json", a.json()));
        });
        server.start();
    }

    private static Answer next(Deque<Answer> script) {
        Answer a = script.pollFirst();
        return a == null ? new Answer(500, "{\"error\":\"script_exhausted\"}") : a;
    }

    String issuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    Provider provider() {
        return new Provider(issuer(), Optional.empty(), URI.create(issuer() + "/token"),
                Optional.of(URI.create(issuer() + "/device")), URI.create(issuer() + "/jwks"), Optional.empty(), true,
                false);
    }

    LoginOffer offer() {
        return new LoginOffer(issuer(), "keyward", Optional.empty(), List.of("openid"),
                Set.of(LoginOffer.Flow.DEVICE), false);
    }

    static Answer ok(String json) {
        return new Answer(200, json);
    }

    static Answer error(String code) {
        return new Answer(400, "{\"error\":\"" + code + "\",\"error_description\":\"" + code + " said the IdP\"}");
    }

    static Map<String, String> form(String body) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            m.put(pair.substring(0, eq), java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return m;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
