/**
 * OpenSSH certificates (PROTOCOL.certkeys): an immutable value with a validating builder
 * ({@link dev.keyward.ca.cert.Certificate}), signing through a {@link dev.keyward.ca.sign.CaSigner}
 * ({@link dev.keyward.ca.cert.CertificateCodec#sign}), and a decoder that verifies the CA signature.
 */
package dev.keyward.ca.cert;
