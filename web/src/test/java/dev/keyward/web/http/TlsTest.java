package dev.keyward.web.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import dev.keyward.ca.testing.Cmd;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS from PEM files: the server answers over TLS with the configured certificate, and not over plain HTTP. */
class TlsTest {
    @TempDir
    Path dir;

    @Test
    void serverSpeaksTlsWithTheConfiguredCertificate() throws Exception {
        Path certFile = dir.resolve("tls.crt");
        Path pkcs8 = dir.resolve("tls.key");
        Cmd.run(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", pkcs8.toString(), "-out", certFile.toString(), "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-days", "1")).orThrow();
        // the traditional SEC1 form ("EC PRIVATE KEY") works as well as PKCS#8
        Path keyFile = dir.resolve("tls-sec1.key");
        Cmd.run(List.of("openssl", "ec", "-in", pkcs8.toString(), "-out", keyFile.toString())).orThrow();
        assertTrue(Files.readString(keyFile).contains("BEGIN EC PRIVATE KEY"));
        X509Certificate cert;
        try (var in = Files.newInputStream(certFile)) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }

        try (TestServer server = TestServer.startTls(dir.resolve("home"), TestDatabases.create(), certFile, keyFile)) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("server", cert);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            HttpClient https = HttpClient.newBuilder().sslContext(ssl).build();
            HttpResponse<String> r = https.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + server.port() + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("up"));
            // over TLS the console's session cookie is Secure and __Host- (host-only, path /)
            HttpResponse<String> login = https.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + server.port() + "/login"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("token=" + server.adminToken())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(303, login.statusCode(), login.body());
            String cookie = login.headers().firstValue("Set-Cookie").orElse("");
            assertTrue(cookie.startsWith("__Host-keyward_console=") && cookie.contains("Secure")
                    && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/")
                    && !cookie.contains("Domain"), cookie);
            HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertThrows(IOException.class, () -> plain.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/healthz")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
    }
}
