package dev.keyward.cli.server;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.json.Json;
import dev.keyward.ca.json.JsonException;
import dev.keyward.ca.key.KeyPolicy;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.cli.config.Credential;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The calls of {@code keyward login} and {@code keyward ssh-config}: {@code GET /api/v1/ca/user} (the trusted user
 * CA keys), {@code GET /api/v1/login/config} (how to sign in), {@code POST /api/v1/certs/user}, and
 * {@code GET /api/v1/ca/host} (the host CA keys). No redirects are followed (a redirect could carry the token
 * elsewhere); answers are capped at {@link #MAX_BODY} bytes; every failure is a {@link ServerException} with a
 * message for the engineer.
 */
public final class KeywardClient {
    static final int MAX_BODY = 256 * 1024;
    private static final String USER_AGENT = "keyward-cli/0.1";

    private final URI base;
    private final Duration timeout;
    private final HttpClient http;

    public KeywardClient(URI base, Duration timeout) {
        this.base = base;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The fields of a {@code 201} from {@code POST /certs/user} that the CLI uses. */
    public record IssuedCert(String certificateLine) {
    }

    /** The user CA public keys the server publishes (TrustedUserCAKeys content). */
    public List<SshPublicKey> userCaKeys() {
        return caKeys("/api/v1/ca/user", "user", line -> line);
    }

    /**
     * The host CA public keys the server publishes, from its {@code @cert-authority * <key>} lines (several during a
     * host CA rotation). The marker and host pattern are the server's; the CLI writes its own.
     */
    public List<SshPublicKey> hostCaKeys() {
        return caKeys("/api/v1/ca/host", "host", line -> {
            String[] f = line.strip().split("\\s+", 3);
            if (f.length < 3 || !f[0].equals("@cert-authority")) {
                throw new InvalidInputException("expected '@cert-authority <hosts> <public key>'");
            }
            return f[2];
        });
    }

    private List<SshPublicKey> caKeys(String path, String purpose, java.util.function.UnaryOperator<String> keyPart) {
        String body = new String(send(request(path).GET().build(), 200, "fetching the " + purpose + " CA keys"),
                StandardCharsets.UTF_8);
        PublicKeyParser parser = new PublicKeyParser(new KeyPolicy(2048));
        List<SshPublicKey> keys = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                try {
                    keys.add(parser.parseLine(keyPart.apply(line)));
                } catch (InvalidInputException e) {
                    throw new ServerException("the server's " + purpose + " CA key list is not valid: "
                            + e.getMessage());
                }
            }
        }
        if (keys.isEmpty()) {
            throw new ServerException("the server publishes no " + purpose + " CA key at " + base + path);
        }
        return keys;
    }

    /**
     * {@code GET /api/v1/login/config}: the document as sent; empty from a server that predates the route (404).
     */
    public Optional<byte[]> loginConfig() {
        BoundedExchange.Answer a = exchange(request("/api/v1/login/config").GET().build(), "fetching the sign-in configuration");
        if (a.status() == 404) {
            return Optional.empty();
        }
        return Optional.of(expect(a, 200, "fetching the sign-in configuration", false));
    }

    /** {@code POST /api/v1/certs/user} with our public key and the optional TTL and principals. */
    public IssuedCert issueUserCert(Credential credential, SshPublicKey key, Optional<String> ttl,
            List<String> principals) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("public_key", key.toOpenSshWithoutComment());
        ttl.ifPresent(t -> body.put("ttl", t));
        if (!principals.isEmpty()) {
            body.put("principals", principals);
        }
        HttpRequest req = request("/api/v1/certs/user").header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + credential.value())
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.write(body))).build();
        byte[] answer = expect(exchange(req, "requesting a certificate"), 201, "requesting a certificate",
                credential.fromSignIn());
        try {
            Object cert = Json.parseObject(answer).get("certificate");
            if (cert instanceof String line && !line.isBlank()) {
                return new IssuedCert(line.strip());
            }
            throw new ServerException("the server's answer has no certificate");
        } catch (JsonException e) {
            throw new ServerException("the server's answer is not valid JSON: " + e.getMessage());
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout).header("User-Agent", USER_AGENT)
                .header("Accept", "application/json, application/problem+json");
    }

    /** The body of an answer with the {@code expected} status, as sent (JSON is parsed from the bytes). */
    private byte[] send(HttpRequest req, int expected, String what) {
        return expect(exchange(req, what), expected, what, false);
    }

    /** The body when the status is {@code expected}, else the server's refusal as one line. */
    private static byte[] expect(BoundedExchange.Answer a, int expected, String what, boolean signInToken) {
        int status = a.status();
        if (status == expected) {
            return a.body();
        }
        if (status >= 300 && status < 400) {
            throw new ServerException("the server answered with a redirect (HTTP " + status + ") while " + what
                    + "; use the server's exact URL" + a.location()
                            .map(l -> " (it points to " + Printable.clean(l, 200) + ")").orElse(""));
        }
        throw Problem.toException(status, new String(a.body(), StandardCharsets.UTF_8), what, signInToken);
    }

    private BoundedExchange.Answer exchange(HttpRequest req, String what) {
        return BoundedExchange.send(http, req, timeout, MAX_BODY, "the Keyward server at " + base, what,
                " (is the server running, and is the URL right?)", ServerException::new);
    }
}
