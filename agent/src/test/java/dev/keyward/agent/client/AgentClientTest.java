package dev.keyward.agent.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.keyward.agent.protocol.UsageBatch;
import dev.keyward.agent.testing.StubServer;
import dev.keyward.ca.testing.Cmd;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client over http and https: conditional GETs, error messages, certificate and host name checks. */
class AgentClientTest {
    @TempDir
    Path tmp;

    @Test
    void conditionalGetAndErrorsOverHttp() throws Exception {
        try (StubServer server = new StubServer()) {
            server.state = "{\"mode\":\"managed\"}".getBytes(StandardCharsets.UTF_8);
            AgentClient c = new AgentClient(URI.create(server.url()), StubServer.CREDENTIAL, Duration.ofSeconds(5));
            AgentClient.Fetched f = c.state(null, 0).orElseThrow();
            assertArrayEquals(server.state, f.body());
            assertTrue(c.state(f.etag(), 0).isEmpty(), "304 when unchanged");
            ServerException e = assertThrows(ServerException.class,
                    () -> new AgentClient(URI.create(server.url()), "wrong", Duration.ofSeconds(5)).state(null, 0));
            assertEquals(401, e.status());
            assertEquals("GET /api/v1/agent/state answered 401: bad credential", e.getMessage());
            assertEquals(List.of(), c.usage(new UsageBatch(List.of())).acknowledged());
        }
        ServerException down = assertThrows(ServerException.class, () -> new AgentClient(
                URI.create("http://127.0.0.1:9"), StubServer.CREDENTIAL, Duration.ofSeconds(5)).state(null, 0));
        assertEquals(0, down.status());
        assertTrue(down.getMessage().startsWith("GET /api/v1/agent/state: server unreachable ("), down.getMessage());
    }

    @Test
    void httpsChecksTheServerCertificate() throws Exception {
        Path ks = tmp.resolve("server.p12");
        Cmd.run(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=keyward test",
                "-ext", "san=ip:127.0.0.1", "-validity", "2", "-keystore", ks.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit")).orThrow();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "changeit".toCharArray());
        SSLContext serverTls = SSLContext.getInstance("TLS");
        serverTls.init(kmf.getKeyManagers(), null, null);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext clientTls = SSLContext.getInstance("TLS");
        clientTls.init(null, tmf.getTrustManagers(), null);

        HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        https.setHttpsConfigurator(new HttpsConfigurator(serverTls));
        byte[] krl = {1, 2, 3};
        https.createContext("/", ex -> {
            try (ex) {
                ex.getResponseHeaders().add("ETag", "\"k\"");
                ex.sendResponseHeaders(200, krl.length);
                ex.getResponseBody().write(krl);
            }
        });
        https.start();
        try {
            int port = https.getAddress().getPort();
            AgentClient trusting = new AgentClient(URI.create("https://127.0.0.1:" + port), "c", Duration.ofSeconds(5),
                    clientTls.getSocketFactory());
            AgentClient.Fetched f = trusting.krl("/api/v1/krl", null).orElseThrow();
            assertArrayEquals(krl, f.body());
            assertEquals("\"k\"", f.etag());
            // the JDK's trust store does not know the test certificate
            ServerException untrusted = assertThrows(ServerException.class, () -> new AgentClient(
                    URI.create("https://127.0.0.1:" + port), "c", Duration.ofSeconds(5)).krl("/api/v1/krl", null));
            assertTrue(untrusted.getMessage().contains("SSLHandshakeException"), untrusted.getMessage());
            // a trusted certificate for another name
            ServerException wrongName = assertThrows(ServerException.class, () -> new AgentClient(
                    URI.create("https://localhost:" + port), "c", Duration.ofSeconds(5), clientTls.getSocketFactory())
                    .krl("/api/v1/krl", null));
            assertTrue(wrongName.getMessage().contains("SSLHandshakeException")
                    || wrongName.getMessage().contains("No subject alternative"), wrongName.getMessage());
        } finally {
            https.stop(0);
        }
    }
}
