package dev.keyward.web.http;

import dev.keyward.web.config.ConfigException;
import dev.keyward.web.config.HttpConfig;
import dev.keyward.web.config.TlsConfig;
import io.javalin.config.JavalinConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * HTTPS from PEM files: the certificate chain ({@code http.tls.cert_file}) and its unencrypted private key
 * ({@code http.tls.key_file}, PKCS#8 or PKCS#1/SEC1). Only TLS 1.2 and 1.3 are offered. With TLS configured the
 * server listens on HTTPS only.
 */
final class TlsConnector {
    private TlsConnector() {
    }

    /**
     * @param http1  makes the HTTP/1.1 connection factory that runs inside TLS
     * @param decorate applied to the connector (listeners such as the per-address connection cap)
     */
    static void configure(JavalinConfig cfg, HttpConfig http, TlsConfig tls,
            Function<HttpConfiguration, HttpConnectionFactory> http1, Consumer<ServerConnector> decorate) {
        KeyStore keyStore = keyStore(tls);
        cfg.jetty.addConnector((server, httpConfiguration) -> {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStore(keyStore);
            ssl.setKeyStorePassword("");
            ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
            httpConfiguration.addCustomizer(new SecureRequestCustomizer());
            ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
                    http1.apply(httpConfiguration));
            connector.setHost(http.bind());
            connector.setPort(http.port());
            decorate.accept(connector);
            return connector;
        });
    }

    static KeyStore keyStore(TlsConfig tls) {
        List<Certificate> chain = readChain(tls.certFile());
        PrivateKey key = readKey(tls.keyFile());
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("keyward", key, new char[0], chain.toArray(new Certificate[0]));
            return ks;
        } catch (GeneralSecurityException | IOException e) {
            throw new ConfigException("http.tls: the key in " + tls.keyFile() + " does not fit the certificate in "
                    + tls.certFile() + ": " + e.getMessage(), e);
        }
    }

    private static List<Certificate> readChain(Path file) {
        try (var in = Files.newInputStream(file)) {
            List<Certificate> chain = new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
            if (chain.isEmpty()) {
                throw new ConfigException("http.tls.cert_file " + file + " holds no PEM certificate");
            }
            return chain;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("http.tls.cert_file " + file + " is not a PEM certificate chain: " + e.getMessage(), e);
        }
    }

    private static PrivateKey readKey(Path file) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            Object o = p.readObject();
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair kp) {
                // SEC1 "EC PRIVATE KEY" may omit the public key, so convert only the private half
                return conv.getPrivateKey(kp.getPrivateKeyInfo());
            }
            if (o instanceof PrivateKeyInfo info) {
                return conv.getPrivateKey(info);
            }
            throw new ConfigException("http.tls.key_file " + file + " is not an unencrypted PEM private key"
                    + " (PKCS#8 'PRIVATE KEY', 'RSA PRIVATE KEY' or 'EC PRIVATE KEY')");
        } catch (IOException e) {
            throw new ConfigException("http.tls.key_file " + file + " cannot be read: " + e.getMessage(), e);
        }
    }
}
