package dev.keyward.web.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.web.auth.Role;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.SshKeyLines;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every string a client can send, on every route of the route table, against the real server and its real
 * PostgreSQL: a NUL (PostgreSQL cannot store it), an unpaired surrogate (not Unicode; UTF-8 cannot carry it) and
 * an over-long value (beyond the columns' limits). Each is a 4xx problem+json naming what is wrong, never a 500.
 * The route table drives the sweep, so a new route or field is swept too (a route with a body needs a base body
 * below, or the sweep fails).
 */
class HostileStringsTest {
    @TempDir
    static Path dir;
    static TestServer server;
    static Api api;
    static String admin;
    static String engineer;
    static String plainHost;
    static String credential;
    static String enrolledKey;
    static Path enrolledKeyFile;
    static final AtomicInteger N = new AtomicInteger();

    /** Marker replaced by a JSON escape after serialising (a Java string cannot carry it through UTF-8). */
    static final String SURROGATE_MARK = "@@lone-surrogate@@";
    static final Map<String, String> HOSTILE = Map.of(
            "NUL", "a\u0000b",
            "unpaired surrogate", "a" + SURROGATE_MARK + "b",
            "over-long", "x".repeat(5000));

    @BeforeAll
    static void start() {
        server = TestServer.start(dir.resolve("home"), TestDatabases.create());
        api = server.api();
        admin = server.adminToken();
        engineer = server.token("engineer", "erin");
        plainHost = server.token("host", "plain", "plain.example.com");
        // a key with its private half on disk, so that credential renewal can be signed with it
        enrolledKeyFile = dev.keyward.ca.testing.Cmd.sshKeygen(dir, "sweep-host", "ed25519", 0);
        try {
            enrolledKey = java.nio.file.Files.readString(Path.of(enrolledKeyFile + ".pub")).strip();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Api.Resp e = api.post("/api/v1/hosts/enroll", null, Map.of("join_token", joinToken("sweep.example.com"),
                "host_keys", List.of(enrolledKey)));
        assertEquals(200, e.status(), e.toString());
        credential = e.json().get("credential").asText();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String joinToken(String hostname) {
        Api.Resp r = api.post("/api/v1/hosts", admin, Map.of("hostname", hostname));
        assertEquals(201, r.status(), r.toString());
        return r.json().get("join_token").asText();
    }

    static String tokenFor(Route r) {
        if (r.isPublic()) {
            return null;
        }
        if (r.roles().contains(Role.ENGINEER)) {
            return engineer;
        }
        if (r.roles().contains(Role.ADMIN)) {
            return admin;
        }
        return r.path().startsWith("/api/v1/agent/") ? credential : plainHost;
    }

    /** Why {@code r} is not a 4xx problem+json (with {@code status} if given), or null if it is. */
    static String clientErrorProblem(Api.Resp r, int status, String detailPart, String what) {
        boolean ok = (status == 0 ? r.status() >= 400 && r.status() < 500 : r.status() == status)
                && r.contentType() != null && r.contentType().startsWith("application/problem+json")
                && (detailPart == null || r.json().path("detail").asText().contains(detailPart));
        return ok ? null : what + ": " + r + " (" + r.contentType() + ")";
    }

    static void add(List<String> failures, String problem) {
        if (problem != null) {
            failures.add(problem);
        }
    }

    /** URL-encodes {@code v}; an unpaired surrogate has no UTF-8 form, so it goes as CESU-8 bytes (ED A0 80). */
    static String encode(String v) {
        return URLEncoder.encode(v, StandardCharsets.UTF_8)
                .replace(URLEncoder.encode(SURROGATE_MARK, StandardCharsets.UTF_8), "%ED%A0%80");
    }

    @Test
    void hostileQueryAndPathParametersOfEveryRouteAre400() {
        int checked = 0;
        List<String> failures = new ArrayList<>();
        for (Route r : server.server().routes()) {
            if (!r.method().equals("GET") && !r.path().contains("{")) {
                continue;
            }
            String path = r.path().replaceAll("\\{[a-z_]+}", "1");
            for (String q : r.queryParams()) {
                for (Map.Entry<String, String> bad : HOSTILE.entrySet()) {
                    String what = r.method() + " " + r.path() + " ?" + q + "= " + bad.getKey();
                    Api.Resp resp = api.get(path + "?" + q + "=" + encode(bad.getValue()), tokenFor(r));
                    add(failures, clientErrorProblem(resp, 400, q, what));
                    checked++;
                }
            }
            Matcher m = Pattern.compile("\\{([a-z_]+)}").matcher(r.path());
            while (m.find()) {
                for (Map.Entry<String, String> bad : HOSTILE.entrySet()) {
                    String what = r.method() + " " + r.path() + " {" + m.group(1) + "} " + bad.getKey();
                    String p = r.path().replace(m.group(), encode(bad.getValue())).replaceAll("\\{[a-z_]+}", "1");
                    Api.Resp resp = r.method().equals("DELETE") ? api.delete(p, tokenFor(r))
                            : r.method().equals("POST") ? api.post(p, tokenFor(r), "{\"reason\":\"x\"}")
                            : api.get(p, tokenFor(r));
                    add(failures, clientErrorProblem(resp, 400, null, what));
                    checked++;
                }
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " failures:\n" + String.join("\n", failures));
        assertTrue(checked > 40, "swept " + checked);
        assertNoServerErrors();
    }

    /** A request body for one route: a valid base, adjusted when a field is replaced (exclusive fields). */
    record Case(Supplier<String> path, Supplier<Map<String, Object>> base, Map<String, List<String>> dropWhenSet) {
    }

    static Map<String, Case> cases() {
        Map<String, Case> c = new LinkedHashMap<>();
        c.put("POST /api/v1/certs/user", new Case(() -> "/api/v1/certs/user", () -> body(
                "public_key", SshKeyLines.ed25519("u"), "principals", List.of("erin"), "ttl", "1h"), Map.of()));
        c.put("POST /api/v1/certs/host", new Case(() -> "/api/v1/certs/host", () -> body(
                "public_key", SshKeyLines.ed25519("h"), "principals", List.of("plain.example.com"), "ttl", "1d"),
                Map.of()));
        c.put("POST /api/v1/certs/{serial}/revoke", new Case(HostileStringsTest::freshCertPath,
                () -> body("reason", "lost"), Map.of()));
        c.put("POST /api/v1/revocations", new Case(() -> "/api/v1/revocations", () -> body(
                "key_id", "sweep-" + N.incrementAndGet(), "reason", "left"),
                Map.of("public_key", List.of("key_id"), "fingerprint", List.of("key_id"))));
        c.put("POST /api/v1/tokens", new Case(() -> "/api/v1/tokens", () -> body("name", "t" + N.incrementAndGet(),
                "role", "host", "username", "u" + N.get(), "principals", List.of("h" + N.get() + ".example.com"),
                "ttl", "1h"), Map.of()));
        c.put("POST /api/v1/hosts", new Case(() -> "/api/v1/hosts", () -> body("hostname",
                "h" + N.incrementAndGet() + ".example.com", "principals", List.of("h" + N.get() + ".example.com"),
                "mode", "managed", "labels", List.of("web")), Map.of()));
        c.put("POST /api/v1/hosts/enroll", new Case(() -> "/api/v1/hosts/enroll", () -> body("join_token",
                joinToken("e" + N.incrementAndGet() + ".example.com"), "hostname", "e" + N.get(),
                "host_keys", List.of(SshKeyLines.ed25519("e"))), Map.of()));
        c.put("POST /api/v1/agent/host-certs", new Case(() -> "/api/v1/agent/host-certs",
                () -> body("host_keys", List.of(enrolledKey)), Map.of()));
        c.put("POST /api/v1/agent/credential", new Case(() -> "/api/v1/agent/credential",
                HostileStringsTest::signedChallenge, Map.of()));
        c.put("POST /api/v1/agent/usage", new Case(() -> "/api/v1/agent/usage", () -> body("events", List.of()),
                Map.of()));
        c.put("POST /api/v1/agent/inventory", new Case(() -> "/api/v1/agent/inventory", () -> body(
                "hash", String.format("%064x", N.incrementAndGet()), "keys", List.of()), Map.of()));
        c.put("POST /api/v1/agent/status", new Case(() -> "/api/v1/agent/status", () -> body(
                "agent_version", "0.1.0", "usage_source", "none", "usage_detail", "no log",
                "usage_last_flagged", "x"), Map.of()));
        c.put("POST /api/v1/authorized-keys", new Case(() -> "/api/v1/authorized-keys", () -> body(
                "account", "svc" + N.incrementAndGet(), "host", "sweep.example.com", "public_key",
                SshKeyLines.ed25519("k"), "comment", "c", "options", List.of("no-pty"),
                "expires_at", "2099-01-01T00:00:00Z"), Map.of("host_label", List.of("host"))));
        c.put("POST /api/v1/ca/keys", new Case(HostileStringsTest::rotationPath,
                () -> body("purpose", "user", "algorithm", "ecdsa-p256"), Map.of()));
        for (String step : List.of("activate", "destroy", "revoke")) {
            c.put("POST /api/v1/ca/keys/{id}/" + step, new Case(() -> "/api/v1/ca/keys/"
                    + AuthorizationMatrixTest.pendingUserKey(api, admin) + "/" + step, () -> step.equals("revoke")
                    ? body("purpose", "user", "reason", "sweep") : body("purpose", "user", "force", true), Map.of()));
        }
        return c;
    }

    /** POST /ca/keys, after destroying the pending user CA key a previous rotation left (one may be pending). */
    static String rotationPath() {
        long pending = AuthorizationMatrixTest.pendingUserKey(api, admin);
        Api.Resp r = api.post("/api/v1/ca/keys/" + pending + "/destroy", admin, Map.of("purpose", "user"));
        assertEquals(200, r.status(), r.toString());
        return "/api/v1/ca/keys";
    }

    /** A renewal body: a fresh challenge signed with the enrolled host key, as the agent sends it. */
    static Map<String, Object> signedChallenge() {
        Api.Resp ch = api.post("/api/v1/agent/credential/challenge", credential, Map.of());
        assertEquals(200, ch.status(), ch.toString());
        String challenge = ch.json().get("challenge").asText();
        String sig = dev.keyward.ca.testing.Cmd.run(List.of("ssh-keygen", "-Y", "sign", "-f",
                enrolledKeyFile.toString(), "-n", dev.keyward.ca.sign.SshSig.HOST_CREDENTIAL_NAMESPACE), null, Map.of(),
                challenge).orThrow().stdout();
        return body("challenge", challenge, "host_key", enrolledKey, "signature", sig);
    }

    static String freshCertPath() {
        Api.Resp r = api.post("/api/v1/certs/user", engineer, Map.of("public_key", SshKeyLines.ed25519("r")));
        assertEquals(201, r.status(), r.toString());
        return "/api/v1/certs/" + r.json().get("serial").asText() + "/revoke";
    }

    static Map<String, Object> body(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static Api.Resp post(String path, String token, Map<String, Object> body) throws Exception {
        String json = Api.JSON.writeValueAsString(body).replace(SURROGATE_MARK, "\\ud800");
        return api.post(path, token, json);
    }

    @Test
    void hostileStringsInEveryBodyFieldOfEveryRouteAre4xxProblems() throws Exception {
        Map<String, Case> cases = cases();
        int checked = 0;
        List<String> failures = new ArrayList<>();
        for (Route r : server.server().routes()) {
            if (r.body() == null) {
                continue;
            }
            Case c = cases.get(r.method() + " " + r.path());
            assertNotNull(c, "no base body for " + r.method() + " " + r.path() + ": add one to cases()");
            Api.Resp ok = post(c.path().get(), tokenFor(r), c.base().get());
            assertTrue(ok.status() / 100 == 2, "the base body of " + r.path() + " must succeed: " + ok);
            for (RecordComponent f : r.body().getRecordComponents()) {
                boolean list = List.class.isAssignableFrom(f.getType());
                boolean strings = f.getType() == String.class || list
                        && ((ParameterizedType) f.getGenericType()).getActualTypeArguments()[0] == String.class;
                if (!strings) {
                    continue; // agent report elements: AgentReportsHostileInputTest
                }
                String field = OpenApi.snake(f.getName());
                for (Map.Entry<String, String> bad : HOSTILE.entrySet()) {
                    Map<String, Object> b = c.base().get();
                    c.dropWhenSet().getOrDefault(field, List.of()).forEach(b::remove);
                    b.put(field, list ? List.of(bad.getValue()) : bad.getValue());
                    String what = r.path() + " " + field + " " + bad.getKey();
                    Api.Resp resp = post(c.path().get(), tokenFor(r), b);
                    if (field.equals("hostname") && r.path().endsWith("/enroll") && bad.getKey().equals("over-long")) {
                        // informational (the server keeps the registered name): accepted, only abbreviated
                        add(failures, resp.status() == 200 ? null : clientErrorProblem(resp, 400, field, what));
                    } else {
                        // what the JSON layer refuses names the field; over-long values get the service's words
                        add(failures, clientErrorProblem(resp, 0, bad.getKey().equals("over-long") ? null : field,
                                what));
                    }
                    checked++;
                }
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " failures:\n" + String.join("\n", failures));
        assertTrue(checked > 60, "swept " + checked);
        assertNoServerErrors();
    }

    /** Nothing made the server fail inside (a 500 is also a stack trace in its log). */
    static void assertNoServerErrors() {
        String metrics = api.get("/metrics", null).body();
        assertTrue(!metrics.contains("status=\"500\""), metrics.lines()
                .filter(l -> l.startsWith("keyward_http_errors_total")).toList().toString());
    }
}
