package dev.keyward.web.auth.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.keyward.ca.testing.TestKeys;
import dev.keyward.web.http.Route;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * OIDC over real HTTP: a Keyward server configured with {@link FakeIssuer} (discovery, RSA and EC keys made at
 * run time) accepts the issuer's tokens, maps groups to roles and policy groups, and refuses every kind of bad
 * token with 401 problem+json and a detail that says why.
 */
class OidcAuthenticationTest {
    @TempDir
    static Path dir;
    static FakeIssuer idp;
    static TestServer server;
    static Api api;
    static RSAKey rsa;
    static ECKey ec;
    static final AtomicInteger N = new AtomicInteger();

    @BeforeAll
    static void start() {
        idp = FakeIssuer.start();
        rsa = FakeIssuer.rsaKey("rsa-1");
        ec = FakeIssuer.ecKey("ec-1");
        idp.publish(rsa, ec);
        server = TestServer.start(dir.resolve("home"), TestDatabases.create(), idp.yaml("")
                + "policy:\n  rules:\n"
                + "    - name: dbas\n      cert_type: user\n      roles: [engineer]\n      groups: [dbas]\n"
                + "      principals: [\"{{username}}\", postgres]\n"
                + "    - name: engineers\n      cert_type: user\n      roles: [engineer, admin]\n");
        api = server.api();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        idp.close();
    }

    private static String publicKey() throws Exception {
        return Files.readString(TestKeys.publicKeyFile(dir, "k" + N.incrementAndGet(), "ed25519"));
    }

    private static Api.Resp issue(String jwt) throws Exception {
        return api.post("/api/v1/certs/user", jwt, Map.of("public_key", publicKey()));
    }

    private static Api.Resp issue(String jwt, List<String> principals) throws Exception {
        return api.post("/api/v1/certs/user", jwt, Map.of("public_key", publicKey(), "principals", principals));
    }

    /** 401, problem+json, a Bearer challenge, and exactly this detail. */
    private static void assertRefused(Api.Resp r, String detail) {
        assertEquals(401, r.status(), r.toString());
        assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
        assertTrue(r.header("WWW-Authenticate").startsWith("Bearer"), r.header("WWW-Authenticate"));
        assertEquals(detail, r.json().get("detail").asText(), r.toString());
    }

    private static String engineer(String username) {
        return FakeIssuer.mint(rsa, idp.claims(username, "kw-engineers").build());
    }

    @ParameterizedTest
    @ValueSource(strings = {"RS256", "ES256"})
    void engineerGetsUserCertForTheUsernameClaim(String alg) throws Exception {
        JWK key = alg.equals("RS256") ? rsa : ec;
        String user = "eng-" + alg.toLowerCase();
        Api.Resp r = issue(FakeIssuer.mint(key, idp.claims(user, "kw-engineers").build()));
        assertEquals(201, r.status(), r.toString());
        assertEquals(List.of(user), strings(r.json().get("principals")));
        assertTrue(r.json().get("certificate").asText().startsWith("ssh-ed25519-cert-v01@openssh.com "));
    }

    @Test
    void auditNamesTheOidcSubject() throws Exception {
        Api.Resp issued = issue(engineer("audra"));
        assertEquals(201, issued.status(), issued.toString());
        long serial = issued.json().get("serial").asLong();
        Api.Resp audit = api.get("/api/v1/audit?actor=oidc:audra", server.adminToken());
        assertEquals(200, audit.status(), audit.toString());
        List<JsonNode> items = StreamSupport.stream(audit.json().get("items").spliterator(), false).toList();
        assertEquals(1, items.size(), audit.toString());
        assertEquals("cert.issue", items.get(0).get("action").asText());
        assertEquals("serial:" + serial, items.get(0).get("subject").asText());
        Api.Resp cert = api.get("/api/v1/certs/" + serial, server.adminToken());
        assertEquals("audra", cert.json().get("requester").asText(), cert.toString());
    }

    @Test
    void adminGroupListsCertificatesAndEngineerGroupDoesNot() {
        String admin = FakeIssuer.mint(ec, idp.claims("ada", "kw-admins").build());
        Api.Resp list = api.get("/api/v1/certs", admin);
        assertEquals(200, list.status(), list.toString());
        assertTrue(list.json().get("items").isArray());

        Api.Resp denied = api.get("/api/v1/certs", engineer("erin"));
        assertEquals(403, denied.status(), denied.toString());
        assertEquals("GET /api/v1/certs needs role admin or auditor; the caller has role engineer",
                denied.json().get("detail").asText());
    }

    @Test
    void severalGroupsGiveSeveralRoles() throws Exception {
        String both = FakeIssuer.mint(rsa, idp.claims("bo", "kw-engineers", "kw-auditors").build());
        assertEquals(201, issue(both).status());
        assertEquals(200, api.get("/api/v1/audit", both).status());
        Api.Resp revoke = api.post("/api/v1/revocations", both, Map.of("key_id", "x", "reason", "test"));
        assertEquals(403, revoke.status(), revoke.toString());
        assertEquals("POST /api/v1/revocations needs role admin; the caller has role auditor, engineer",
                revoke.json().get("detail").asText());
    }

    @Test
    void groupWithoutRoleIsForbidden() throws Exception {
        String contractor = FakeIssuer.mint(rsa, idp.claims("carl", "contractors").build());
        Api.Resp r = issue(contractor);
        assertEquals(403, r.status(), r.toString());
        assertTrue(r.contentType().startsWith("application/problem+json"));
        assertEquals("POST /api/v1/certs/user needs role admin or engineer; the caller has no role",
                r.json().get("detail").asText());
        String noGroups = FakeIssuer.mint(rsa, idp.claims("nina").claim("groups", null).build());
        assertEquals(403, api.get("/api/v1/audit", noGroups).status());
    }

    @Test
    void groupsReachThePolicy() throws Exception {
        String dba = FakeIssuer.mint(rsa, idp.claims("dora", "kw-engineers", "dbas").build());
        Api.Resp ok = issue(dba, List.of("dora", "postgres"));
        assertEquals(201, ok.status(), ok.toString());
        assertEquals(List.of("dora", "postgres"), strings(ok.json().get("principals")));

        Api.Resp refused = issue(engineer("eve"), List.of("eve", "postgres"));
        assertEquals(403, refused.status(), refused.toString());
        assertTrue(refused.json().get("rule").asText().contains("engineers"), refused.toString());
        assertTrue(refused.json().get("detail").asText().contains("postgres"), refused.toString());
    }

    @Test
    void wrongIssuerIsRefusedWithoutFetchingKeys() throws Exception {
        int fetches = idp.jwksRequests.get() + idp.discoveryRequests.get();
        String evil = FakeIssuer.mint(rsa, idp.claims("mallory", "kw-admins").issuer("https://evil.example").build());
        assertRefused(issue(evil), "token issuer not accepted");
        String noIss = FakeIssuer.mint(rsa, idp.claims("mallory", "kw-admins").issuer(null).build());
        assertRefused(issue(noIss), "token issuer not accepted");
        assertEquals(fetches, idp.jwksRequests.get() + idp.discoveryRequests.get());
    }

    @Test
    void wrongAudienceIsRefused() throws Exception {
        assertRefused(issue(FakeIssuer.mint(rsa, idp.claims("al", "kw-engineers").audience("other-app").build())),
                "token audience not accepted");
        assertRefused(issue(FakeIssuer.mint(rsa, idp.claims("al", "kw-engineers").audience((String) null).build())),
                "token audience not accepted");
        String several = FakeIssuer.mint(rsa, idp.claims("al", "kw-engineers")
                .audience(List.of("other-app", FakeIssuer.AUDIENCE)).build());
        assertEquals(201, issue(several).status());
    }

    @Test
    void expiredTokenIsRefusedButClockSkewIsTolerated() throws Exception {
        Instant now = Instant.now();
        String expired = FakeIssuer.mint(rsa, idp.claims("ex", "kw-engineers")
                .issueTime(Date.from(now.minus(Duration.ofMinutes(10))))
                .notBeforeTime(Date.from(now.minus(Duration.ofMinutes(10))))
                .expirationTime(Date.from(now.minus(Duration.ofMinutes(2)))).build());
        assertRefused(issue(expired), "token expired");
        String justExpired = FakeIssuer.mint(rsa, idp.claims("ex", "kw-engineers")
                .expirationTime(Date.from(now.minus(Duration.ofSeconds(20)))).build());
        assertEquals(201, issue(justExpired).status(), "within the 60 s clock skew");
    }

    @Test
    void tokenWithoutExpiryIsRefused() throws Exception {
        assertRefused(issue(FakeIssuer.mint(rsa, idp.claims("ne", "kw-engineers").expirationTime(null).build())),
                "token has no expiry (exp)");
    }

    @Test
    void notYetValidTokenIsRefused() throws Exception {
        Instant later = Instant.now().plus(Duration.ofMinutes(10));
        assertRefused(issue(FakeIssuer.mint(rsa, idp.claims("nb", "kw-engineers").notBeforeTime(Date.from(later))
                .expirationTime(Date.from(later.plus(Duration.ofMinutes(5)))).build())), "token not valid yet (nbf)");
    }

    @Test
    void tokenIssuedInTheFutureIsRefused() throws Exception {
        Instant later = Instant.now().plus(Duration.ofMinutes(10));
        assertRefused(issue(FakeIssuer.mint(rsa, idp.claims("fu", "kw-engineers").issueTime(Date.from(later))
                .expirationTime(Date.from(later.plus(Duration.ofMinutes(5)))).build())),
                "token issued in the future (iat)");
    }

    @Test
    void signatureByAKeyNotInTheJwksIsRefused() throws Exception {
        RSAKey impostor = FakeIssuer.rsaKey("rsa-1"); // same kid as the published key, different key pair
        assertRefused(issue(FakeIssuer.mint(impostor, idp.claims("im", "kw-admins").build())),
                "token signature invalid");
        ECKey unknown = FakeIssuer.ecKey("never-published");
        assertRefused(issue(FakeIssuer.mint(unknown, idp.claims("im", "kw-admins").build())),
                "token signing key not known to the issuer");
    }

    @Test
    void keyEmbeddedInTheHeaderIsIgnored() throws Exception {
        // CVE-2018-0114 style: the attacker ships its own public key in the jwk header under a published kid.
        RSAKey attacker = FakeIssuer.rsaKey("rsa-1");
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").jwk(attacker.toPublicJWK())
                .type(JOSEObjectType.JWT).build();
        assertRefused(issue(FakeIssuer.mint(attacker, header, idp.claims("root", "kw-admins").build())),
                "token signature invalid");
    }

    @Test
    void tamperedPayloadIsRefused() throws Exception {
        String[] parts = engineer("tim").split("\\.");
        String forged = Base64URL.encode(idp.claims("root", "kw-admins").build().toString()
                .getBytes(StandardCharsets.UTF_8)).toString();
        assertRefused(issue(parts[0] + "." + forged + "." + parts[2]), "token signature invalid");
    }

    @Test
    void unsignedTokenIsRefused() throws Exception {
        String none = new PlainJWT(idp.claims("nobody", "kw-admins").build()).serialize();
        assertRefused(issue(none), "unsigned tokens (alg none) are not accepted");
        String[] parts = engineer("nobody").split("\\.");
        String noneWithSignature = Base64URL.encode("{\"alg\":\"none\"}").toString() + "." + parts[1] + "." + parts[2];
        assertRefused(issue(noneWithSignature), "unsigned tokens (alg none) are not accepted");
    }

    @Test
    void hmacSignedWithThePublicKeyIsRefused() throws Exception {
        // The classic algorithm confusion: HS256 keyed with the bytes of the issuer's public key.
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1")
                .type(JOSEObjectType.JWT).build(), idp.claims("mallory", "kw-admins").build());
        jwt.sign(new MACSigner(rsa.toPublicKey().getEncoded()));
        assertRefused(issue(jwt.serialize()), "token signing algorithm not accepted (accepted: ES256, RS256)");
        String ps256 = FakeIssuer.mint(rsa, JWSAlgorithm.PS256, "rsa-1", idp.claims("p", "kw-engineers").build());
        assertRefused(issue(ps256), "token signing algorithm not accepted (accepted: ES256, RS256)");
    }

    @Test
    void missingOrUnusableUsernameIsRefused() throws Exception {
        String none = FakeIssuer.mint(rsa, idp.claims("x", "kw-engineers").claim("preferred_username", null).build());
        assertRefused(issue(none), "token has no usable preferred_username claim (the username)");
        String empty = FakeIssuer.mint(rsa, idp.claims("", "kw-engineers").build());
        assertRefused(issue(empty), "token has no usable preferred_username claim (the username)");
        String huge = FakeIssuer.mint(rsa, idp.claims("a".repeat(251), "kw-engineers").build());
        assertRefused(issue(huge), "token has no usable preferred_username claim (the username)");
        String number = FakeIssuer.mint(rsa, idp.claims("x", "kw-engineers").claim("preferred_username", 42).build());
        assertRefused(issue(number), "token has no usable preferred_username claim (the username)");
    }

    @Test
    void groupsClaimOfTheWrongShapeIsRefused() throws Exception {
        String bad = FakeIssuer.mint(rsa, idp.claims("g").claim("groups", Map.of("kw-admins", true)).build());
        assertRefused(issue(bad), "token groups claim must be a list of strings");
    }

    @Test
    void otherTokenTypesAreRefused() throws Exception {
        JWSHeader logout = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1")
                .type(new JOSEObjectType("logout+jwt")).build();
        assertRefused(issue(FakeIssuer.mint(rsa, logout, idp.claims("lo", "kw-engineers").build())),
                "token type (typ) not accepted; expected JWT or at+jwt");
        JWSHeader accessToken = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1")
                .type(new JOSEObjectType("at+jwt")).build();
        assertEquals(201, issue(FakeIssuer.mint(rsa, accessToken, idp.claims("at", "kw-engineers").build())).status());
    }

    @Test
    void malformedTokenIsRefused() throws Exception {
        assertRefused(issue("eyJub3QganNvbg.eyJ9.c2ln"), "token is not a well-formed JWT");
        String[] parts = engineer("mal").split("\\.");
        assertRefused(issue(parts[0] + ".bm90LWpzb24." + parts[2]), "token is not a well-formed JWT");
    }

    @Test
    void apiTokensNeverReachTheKeyFetcher() throws Exception {
        assertEquals(201, issue(engineer("warm")).status());
        int fetches = idp.jwksRequests.get() + idp.discoveryRequests.get();
        String apiToken = server.token("engineer", "tok");
        assertEquals(201, issue(apiToken).status());
        assertEquals(401, api.get("/api/v1/certs", "kwt_" + "B".repeat(43)).status());
        assertEquals(401, api.get("/api/v1/certs", "kwt_a.b.c").status());
        assertEquals(fetches, idp.jwksRequests.get() + idp.discoveryRequests.get());
    }

    /** The matrix cases for OIDC: every protected route refuses foreign and forged JWTs, and role gates hold. */
    @Test
    void everyProtectedRouteRefusesWrongIssuerAndBadSignature() {
        String wrongIssuer = FakeIssuer.mint(rsa, idp.claims("m", "kw-admins").issuer("https://evil.example").build());
        String badSignature = FakeIssuer.mint(FakeIssuer.rsaKey("rsa-1"), idp.claims("m", "kw-admins").build());
        String noRole = FakeIssuer.mint(ec, idp.claims("m", "nobody").build());
        List<String> failures = new ArrayList<>();
        for (Route route : server.server().routes()) {
            if (route.isPublic()) {
                continue;
            }
            String path = route.path().replace("{serial}", "1").replace("{id}", "1");
            for (Map.Entry<String, String> c : Map.of("wrong issuer", wrongIssuer, "bad signature", badSignature)
                    .entrySet()) {
                Api.Resp r = call(route.method(), path, c.getValue());
                String want = c.getKey().equals("wrong issuer") ? "token issuer not accepted" : "token signature invalid";
                if (r.status() != 401 || !r.contentType().startsWith("application/problem+json")
                        || !want.equals(r.json().get("detail").asText())) {
                    failures.add(route.method() + " " + route.path() + " with " + c.getKey() + ": " + r);
                }
            }
            Api.Resp r = call(route.method(), path, noRole);
            if (r.status() != 403 || !r.json().get("detail").asText().endsWith("the caller has no role")) {
                failures.add(route.method() + " " + route.path() + " without a role: " + r);
            }
        }
        assertEquals(List.of(), failures);
    }

    private static Api.Resp call(String method, String path, String token) {
        return switch (method) {
            case "GET" -> api.get(path, token);
            case "DELETE" -> api.delete(path, token);
            default -> api.post(path, token, "{}");
        };
    }

    private static List<String> strings(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }
}
