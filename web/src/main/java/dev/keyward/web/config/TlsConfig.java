package dev.keyward.web.config;

import java.nio.file.Path;

/**
 * HTTPS: a PEM certificate chain and its PEM private key (PKCS#8, or PKCS#1/SEC1 "RSA/EC PRIVATE KEY").
 *
 * @param certFile {@code http.tls.cert_file}
 * @param keyFile  {@code http.tls.key_file}
 */
public record TlsConfig(Path certFile, Path keyFile) {
}
