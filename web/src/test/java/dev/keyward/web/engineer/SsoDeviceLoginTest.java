package dev.keyward.web.engineer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.Sshd;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.Keycloak;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code keyward login --device} against Keycloak (RFC 8628): the CLI prints the code; headless Chromium, as the
 * engineer, opens the verification page, signs in and grants; the CLI gets the access token, the real server
 * accepts it (issuer, audience, signature, groups → engineer) and issues a certificate for the engineer's own
 * username, which a real sshd accepts. A user in no group mapped to a role is refused by the server, and a user
 * who denies at Keycloak gets {@code access_denied}; neither leaves a certificate or a saved sign-in. The refresh
 * token saved 0600 renews without a browser ({@code login --renew}) until {@code logout} forgets it and revokes it
 * at Keycloak.
 */
class SsoDeviceLoginTest extends SsoServerTest {

    @Test
    void deviceSignInGetsACertificateThatSshdAccepts() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path key = Cmd.sshKeygen(Files.createDirectories(home.resolve(".ssh")), "id_ed25519", "ed25519", 0);
        Map<String, String> env = Map.of("HOME", home.toString());

        CliRun login = CliRun.start(env, "login", "--server", url, "--device", "--no-agent", "--ttl", "10m");
        CliRun.DevicePrompt prompt = login.awaitDevicePrompt();
        assertEquals(keycloak.issuer() + "/device", prompt.verificationUri().toString());
        assertTrue(prompt.complete().toString().contains(prompt.userCode()), prompt.toString());
        String page = KeycloakUser.device(chromium, prompt.complete(), Keycloak.engineer(), keycloak.password(), true);
        CliRun.Result r = login.await(Duration.ofSeconds(60));
        assertEquals(0, r.code(), r + "\nKeycloak's last page:\n" + page);
        assertTrue(r.out().contains("Signed in at " + keycloak.issuer() + " as " + Keycloak.engineer()), r.out());
        assertTrue(r.out().contains("principals:  " + Keycloak.engineer()), r.out());

        Path cert = Path.of(key + "-cert.pub");
        SignedCertificate issued = CertificateCodec.decodeLine(Files.readString(cert).strip());
        assertEquals(List.of(Keycloak.engineer()), issued.certificate().principals());
        Path saved = home.resolve(".config/keyward/refresh_tokens");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(saved)));

        Path trusted = Files.writeString(tmp.resolve("trusted_user_ca_keys"),
                server.api().get("/api/v1/ca/user", null).body());
        try (Sshd sshd = Sshd.start(tmp.resolve("sshd"), null, List.of("TrustedUserCAKeys " + trusted))) {
            Cmd.Result ssh = sshd.login(Keycloak.engineer(), key, cert, null);
            assertEquals(0, ssh.exitCode(), ssh.stderr() + sshd.log());
            assertTrue(sshd.log().contains("ID " + issued.certificate().keyId() + " (serial "
                    + issued.certificate().serial() + ")"), sshd.log());
        }
    }

    @Test
    void renewNeedsNoBrowserUntilLogoutForgetsAndRevokesTheSignIn() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path key = Cmd.sshKeygen(Files.createDirectories(home.resolve(".ssh")), "id_ed25519", "ed25519", 0);
        Map<String, String> env = Map.of("HOME", home.toString());
        CliRun login = CliRun.start(env, "login", "--server", url, "--device", "--no-agent");
        KeycloakUser.device(chromium, login.awaitDevicePrompt().complete(), Keycloak.engineer(), keycloak.password(),
                true);
        CliRun.Result first = login.await(Duration.ofSeconds(60));
        assertEquals(0, first.code(), first.toString());
        Path cert = Path.of(key + "-cert.pub");
        long firstSerial = CertificateCodec.decodeLine(Files.readString(cert).strip()).certificate().serial();

        // --renew: the refresh token alone, no code, no browser; a new certificate
        CliRun.Result renewed = CliRun.run(env, "login", "--server", url, "--renew", "--no-agent");
        assertEquals(0, renewed.code(), renewed.toString());
        assertTrue(renewed.out().contains("Renewed the sign-in at " + keycloak.issuer() + " without a browser\n"),
                renewed.out());
        assertFalse(renewed.out().contains("To sign in"), renewed.out());
        SignedCertificate second = CertificateCodec.decodeLine(Files.readString(cert).strip());
        assertNotEquals(firstSerial, second.certificate().serial());
        assertEquals(List.of(Keycloak.engineer()), second.certificate().principals());

        // logout forgets the sign-in and revokes its refresh token at Keycloak (RFC 7009)
        Path saved = home.resolve(".config/keyward/refresh_tokens");
        String refreshToken = Api.JSON.readTree(Files.readString(saved)).path("sign_ins").elements().next()
                .path("refresh_token").asText();
        CliRun.Result logout = CliRun.run(env, "logout");
        assertEquals(0, logout.code(), logout.toString());
        assertTrue(logout.out().contains("Forgot the sign-in at " + keycloak.issuer() + " (refresh token revoked)\n"),
                logout.out());
        assertFalse(Files.exists(saved));
        assertFalse(Files.exists(cert));
        assertEquals("invalid_grant", keycloak.refresh(refreshToken).path("error").asText(),
                "the revoked refresh token no longer works at Keycloak");

        CliRun.Result after = CliRun.run(env, "login", "--server", url, "--renew", "--no-agent");
        assertEquals(1, after.code(), after.toString());
        assertTrue(after.err().startsWith("keyward: a browser sign-in is needed: no sign-in is saved for "),
                after.err());
        assertEquals(1, after.err().lines().count(), after.err());
        assertFalse(Files.exists(cert));
    }

    @Test
    void userInNoMappedGroupIsRefusedByTheServer() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path key = Cmd.sshKeygen(Files.createDirectories(home.resolve(".ssh")), "id_ed25519", "ed25519", 0);
        CliRun login = CliRun.start(Map.of("HOME", home.toString()), "login", "--server", url, "--device",
                "--no-agent");
        KeycloakUser.device(chromium, login.awaitDevicePrompt().complete(), "outsider", keycloak.password(), true);
        CliRun.Result r = login.await(Duration.ofSeconds(60));
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.out().contains("Signed in at " + keycloak.issuer() + " as outsider"), r.out());
        assertTrue(r.err().startsWith("keyward: not allowed: "), r.err());
        assertFalse(Files.exists(Path.of(key + "-cert.pub")));
        assertFalse(Files.exists(home.resolve(".config/keyward/refresh_tokens")), "a refused sign-in is not kept");
    }

    @Test
    void denyingAtTheProviderIsAccessDenied() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path key = Cmd.sshKeygen(Files.createDirectories(home.resolve(".ssh")), "id_ed25519", "ed25519", 0);
        CliRun login = CliRun.start(Map.of("HOME", home.toString()), "login", "--server", url, "--no-agent");
        // no --device: without DISPLAY the CLI picks the device grant itself
        KeycloakUser.device(chromium, login.awaitDevicePrompt().complete(), "denier", keycloak.password(), false);
        CliRun.Result r = login.await(Duration.ofSeconds(60));
        assertEquals(1, r.code(), r.toString());
        assertEquals("keyward: the sign-in was denied at the identity provider (access_denied); run keyward login"
                + " again to retry\n", r.err());
        assertFalse(Files.exists(Path.of(key + "-cert.pub")));
    }
}
