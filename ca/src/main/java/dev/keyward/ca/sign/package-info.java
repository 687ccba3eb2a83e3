/**
 * CA signers: one {@link dev.keyward.ca.sign.CaSigner} abstraction over PKCS#11 (SunPKCS11) and software keys,
 * the single place where JCA signatures become SSH signature blobs ({@link dev.keyward.ca.sign.SshSignatures}),
 * signer references as self-describing URIs ({@code pkcs11:...}, {@code file:...}), and the verification of
 * OpenSSH message signatures ({@link dev.keyward.ca.sign.SshSig}, PROTOCOL.sshsig).
 */
package dev.keyward.ca.sign;
