/**
 * CA keys held in a PKCS#11 token (an HSM in production, SoftHSM2 in development and tests), used through
 * the JDK's SunPKCS11 provider.
 * <ul>
 * <li>{@link dev.keyward.ca.pkcs11.Pkcs11Uri}: key references as RFC 7512 {@code pkcs11:} URIs.</li>
 * <li>{@link dev.keyward.ca.pkcs11.Pkcs11Pin}: where the user PIN comes from (a {@code pin-source} file or
 *     {@code KEYWARD_PKCS11_PIN}); never from the URI or a command line.</li>
 * <li>{@link dev.keyward.ca.pkcs11.TokenSlots}: token label to slot, since SunPKCS11 cannot select by label;
 *     {@code Pkcs11Module} is the one place that calls the JDK's internal PKCS#11 wrapper.</li>
 * <li>{@code Pkcs11Token}: the current SunPKCS11 provider per (module, slot) per JVM, and the login.</li>
 * <li>{@link dev.keyward.ca.pkcs11.Pkcs11Keys}: generate, open and destroy CA keys; signing goes through
 *     {@link dev.keyward.ca.sign.JcaSigner}, so the signature-blob conversion stays in one place.</li>
 * <li>{@link dev.keyward.ca.pkcs11.Pkcs11Signer}: the signer Keyward hands out, which reconnects when the
 *     token's session, objects or device go away ({@code Pkcs11Errors} says which return values mean that,
 *     {@code Pkcs11Reconnect} finds the key again, re-initialising the module if need be).</li>
 * </ul>
 * Keys are generated inside the token as sensitive, non-extractable token objects. Ed25519 is not offered:
 * SunPKCS11 has no EdDSA. A key is found by name through the SunPKCS11 key store, which stores the name as the
 * private key's CKA_ID and as CKA_ID and CKA_LABEL of a placeholder certificate
 * ({@link dev.keyward.ca.pkcs11.PlaceholderCertificate}).
 */
package dev.keyward.ca.pkcs11;
