/**
 * OpenSSH certificates (PROTOCOL.certkeys): an immutable value with a validating builder
 * ({@link dev.keyward.ca.cert.Certificate}) that holds issuance to Keyward's rules, signing through a
 * {@link dev.keyward.ca.sign.CaSigner} ({@link dev.keyward.ca.cert.CertificateCodec#sign}), and a decoder that reads
 * whatever OpenSSH reads, verifies the CA signature and lists what Keyward would not issue as warnings.
 */
package dev.keyward.ca.cert;
