/**
 * Keyward's CA core: SSH public keys, OpenSSH certificates, CA signers (PKCS#11 and software) and KRLs.
 * No HTTP and no SQL live here; the server, the agent and the CLIs share this module.
 */
package dev.keyward.ca;
