package dev.keyward.web.engineer;

import dev.keyward.web.testing.Chromium;
import dev.keyward.web.testing.Keycloak;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the SSO end-to-end tests share: the run's Keycloak and Chromium, and a Keyward server of their own (one per
 * test class) whose {@code oidc.login} signs in at that Keycloak ({@link SsoConfig}).
 */
abstract class SsoServerTest {
    static Keycloak keycloak;
    static Chromium chromium;
    static TestServer server;
    static String url;

    @TempDir
    static Path serverDir;
    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        keycloak = Keycloak.shared();
        chromium = Chromium.shared();
        server = TestServer.start(serverDir, TestDatabases.create(), SsoConfig.yaml(keycloak));
        url = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
