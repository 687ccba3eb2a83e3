package dev.keyward.web.engineer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.web.testing.Keycloak;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code keyward login} with a browser against Keycloak: the authorization code flow with PKCE S256 and a loopback
 * redirect (RFC 8252). The CLI "opens the browser" through {@code KEYWARD_BROWSER}, a script that hands the URL to
 * the test; headless Chromium, as the engineer, follows it, signs in and grants; Keycloak sends Chromium back to
 * the CLI's listener on 127.0.0.1, and the CLI exchanges the code and gets a certificate. A redirect carrying
 * another {@code state} is refused before the code goes anywhere; denying at Keycloak ends the sign-in.
 */
class SsoBrowserLoginTest extends SsoServerTest {
    Path home;
    Path key;
    Path urlFile;
    Map<String, String> env;

    /** A home with a key, and a "browser" that writes the URL it is given to {@link #urlFile}. */
    private CliRun startLogin() throws Exception {
        home = Files.createDirectories(tmp.resolve("home"));
        key = Cmd.sshKeygen(Files.createDirectories(home.resolve(".ssh")), "id_ed25519", "ed25519", 0);
        urlFile = tmp.resolve("opened-url");
        Path browser = tmp.resolve("browser");
        Files.writeString(browser, "#!/bin/sh\nprintf '%s\\n' \"$1\" > " + urlFile + ".tmp && /bin/mv " + urlFile
                + ".tmp " + urlFile + "\n");
        Files.setPosixFilePermissions(browser, PosixFilePermissions.fromString("rwx------"));
        env = Map.of("HOME", home.toString(), "KEYWARD_BROWSER", browser.toString());
        return CliRun.start(env, "login", "--server", url, "--no-agent");
    }

    /** The URL the CLI opened (bounded wait). */
    private URI openedUrl(CliRun login) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(urlFile)) {
            if (System.nanoTime() > deadline || login.resultIfDone().isPresent()) {
                throw new AssertionError("keyward opened no browser:\n" + login.out()
                        + login.resultIfDone().map(Object::toString).orElse(""));
            }
            Thread.sleep(50);
        }
        return URI.create(Files.readString(urlFile).strip());
    }

    private static Map<String, String> query(URI u) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String pair : u.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            m.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return m;
    }

    @Test
    void browserSignInWithPkceGetsACertificate() throws Exception {
        CliRun login = startLogin();
        URI authorize = openedUrl(login);
        assertTrue(authorize.toString().startsWith(keycloak.issuer() + "/protocol/openid-connect/auth?"), authorize.toString());
        Map<String, String> q = query(authorize);
        assertEquals("code", q.get("response_type"));
        assertEquals(Keycloak.CLIENT_ID, q.get("client_id"));
        assertEquals("S256", q.get("code_challenge_method"));
        assertEquals(43, q.get("code_challenge").length(), "BASE64URL(SHA-256) without padding");
        assertTrue(q.get("redirect_uri").matches("http://127\\.0\\.0\\.1:[0-9]+/callback"), q.get("redirect_uri"));
        assertTrue(q.get("state").length() >= 43 && q.get("nonce").length() >= 43, q.toString());
        assertTrue(login.out().contains("Sign in at " + keycloak.issuer() + " in your browser"), login.out());

        String page = KeycloakUser.authorize(chromium, authorize, Keycloak.engineer(), keycloak.password(), true);
        CliRun.Result r = login.await(Duration.ofSeconds(60));
        assertEquals(0, r.code(), r + "\nlast page:\n" + page);
        assertTrue(page.contains("Keyward received your sign-in"), page);
        assertTrue(r.out().contains("Signed in at " + keycloak.issuer() + " as " + Keycloak.engineer()), r.out());
        SignedCertificate issued = CertificateCodec.decodeLine(Files.readString(Path.of(key + "-cert.pub")).strip());
        assertEquals(List.of(Keycloak.engineer()), issued.certificate().principals());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                home.resolve(".config/keyward/refresh_tokens"))));
    }

    @Test
    void aRedirectWithAnotherStateIsRefused() throws Exception {
        CliRun login = startLogin();
        URI authorize = openedUrl(login);
        String state = query(authorize).get("state");
        URI tampered = URI.create(authorize.toString().replace("state=" + state, "state=" + "x".repeat(43)));
        String page = KeycloakUser.authorize(chromium, tampered, Keycloak.engineer(), keycloak.password(), true);
        CliRun.Result r = login.await(Duration.ofSeconds(60));
        assertEquals(1, r.code(), r.toString());
        assertEquals("keyward: the redirect carried a wrong state, so it is not the answer to this sign-in; nothing"
                + " was sent\n", r.err());
        assertTrue(page.contains("Keyward sign-in failed"), page);
        assertFalse(Files.exists(Path.of(key + "-cert.pub")));
        assertFalse(Files.exists(home.resolve(".config/keyward/refresh_tokens")));
    }

    @Test
    void denyingInTheBrowserEndsTheSignIn() throws Exception {
        CliRun login = startLogin();
        URI authorize = openedUrl(login);
        String page = KeycloakUser.authorize(chromium, authorize, "denier", keycloak.password(), false);
        CliRun.Result r = login.await(Duration.ofSeconds(60));
        assertEquals(1, r.code(), r + "\nlast page:\n" + page);
        assertTrue(r.err().startsWith("keyward: the sign-in was denied or cancelled at the identity provider"
                + " (access_denied"), r.err());
        assertFalse(Files.exists(Path.of(key + "-cert.pub")));
    }
}
