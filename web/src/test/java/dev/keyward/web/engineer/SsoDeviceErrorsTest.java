package dev.keyward.web.engineer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.testing.Cmd;
import dev.keyward.web.testing.Keycloak;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device sign-in's refusals, each one line on stderr, exit 1, nothing written: a code nobody enters expires
 * (Keycloak's client {@code keyward-short}: codes live 3 s), a client without the device grant is named, a server
 * that does not offer the device flow says so, an identity provider that cannot be reached is named.
 */
class SsoDeviceErrorsTest {
    @TempDir
    Path tmp;
    Path home;
    Path key;

    @BeforeEach
    void setUp() throws Exception {
        home = Files.createDirectories(tmp.resolve("home"));
        key = Cmd.sshKeygen(Files.createDirectories(home.resolve(".ssh")), "id_ed25519", "ed25519", 0);
    }

    private CliRun.Result deviceLogin(String oidcYaml) {
        try (TestServer server = TestServer.start(tmp.resolve("server"), TestDatabases.create(), oidcYaml)) {
            CliRun.Result r = CliRun.run(Map.of("HOME", home.toString()), "login", "--server",
                    "http://127.0.0.1:" + server.port(), "--device", "--no-agent");
            assertEquals(1, r.code(), r.toString());
            assertEquals(1, r.err().lines().count(), r.toString());
            assertFalse(Files.exists(Path.of(key + "-cert.pub")));
            assertFalse(Files.exists(home.resolve(".config/keyward/refresh_tokens")));
            return r;
        }
    }

    @Test
    void aCodeNobodyEntersExpires() {
        Keycloak keycloak = Keycloak.shared();
        CliRun.Result r = deviceLogin(SsoConfig.yaml(keycloak.issuer(), "keyward-short", "[device]"));
        assertTrue(r.out().contains("To sign in, open " + keycloak.issuer() + "/device and enter the code "), r.out());
        assertEquals("keyward: the code expired before the sign-in was approved (expired_token); run keyward login"
                + " again for a new code\n", r.err());
    }

    @Test
    void aClientWithoutTheDeviceGrantIsNamed() {
        Keycloak keycloak = Keycloak.shared();
        CliRun.Result r = deviceLogin(SsoConfig.yaml(keycloak.issuer(), "keyward-nodevice", "[browser, device]"));
        assertTrue(r.err().startsWith("keyward: the identity provider refused the device sign-in: unauthorized_client"),
                r.err());
        assertTrue(r.err().endsWith("(is the device grant enabled for the client keyward-nodevice?)\n"), r.err());
    }

    @Test
    void aServerWithoutTheDeviceFlowSaysSo() {
        CliRun.Result r = deviceLogin(SsoConfig.yaml("http://127.0.0.1:9/realms/keyward", Keycloak.CLIENT_ID,
                "[browser]"));
        assertEquals("keyward: the server does not offer the device sign-in (oidc.login.flows); run keyward login"
                + " without --device where a browser can open\n", r.err());
    }

    @Test
    void anUnreachableProviderIsNamed() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        CliRun.Result r = deviceLogin(SsoConfig.yaml("http://127.0.0.1:" + closed + "/realms/keyward",
                Keycloak.CLIENT_ID, "[device]"));
        assertEquals("keyward: cannot reach the identity provider at http://127.0.0.1:" + closed
                + ": connection refused\n", r.err());
    }
}
