package dev.keyward.ca.key;

import java.util.Optional;

/**
 * The public-key types Keyward accepts as certificate subjects. CA keys are the non-sk types.
 * Certificate type names follow PROTOCOL.certkeys.
 */
public enum KeyType {
    ED25519("ssh-ed25519", "ssh-ed25519-cert-v01@openssh.com", null, "ED25519"),
    ECDSA_P256("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256-cert-v01@openssh.com", "nistp256", "ECDSA"),
    ECDSA_P384("ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384-cert-v01@openssh.com", "nistp384", "ECDSA"),
    ECDSA_P521("ecdsa-sha2-nistp521", "ecdsa-sha2-nistp521-cert-v01@openssh.com", "nistp521", "ECDSA"),
    RSA("ssh-rsa", "ssh-rsa-cert-v01@openssh.com", null, "RSA"),
    SK_ED25519("sk-ssh-ed25519@openssh.com", "sk-ssh-ed25519-cert-v01@openssh.com", null, "ED25519-SK"),
    SK_ECDSA_P256("sk-ecdsa-sha2-nistp256@openssh.com", "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
            "nistp256", "ECDSA-SK");

    private final String sshName;
    private final String certName;
    private final String curve;
    private final String displayName;

    KeyType(String sshName, String certName, String curve, String displayName) {
        this.sshName = sshName;
        this.certName = certName;
        this.curve = curve;
        this.displayName = displayName;
    }

    /** The key type string in the wire format and in public-key lines, e.g. {@code ecdsa-sha2-nistp256}. */
    public String sshName() {
        return sshName;
    }

    /** The certificate type string, e.g. {@code ecdsa-sha2-nistp256-cert-v01@openssh.com}. */
    public String certName() {
        return certName;
    }

    /** The curve identifier carried in the blob for ECDSA types ({@code nistp256}...), null otherwise. */
    public String curve() {
        return curve;
    }

    /** The name ssh-keygen and sshd print (ED25519, ECDSA, RSA, ED25519-SK, ECDSA-SK). */
    public String displayName() {
        return displayName;
    }

    public boolean isSecurityKey() {
        return this == SK_ED25519 || this == SK_ECDSA_P256;
    }

    public boolean isEcdsa() {
        return curve != null;
    }

    public static Optional<KeyType> fromSshName(String name) {
        for (KeyType t : values()) {
            if (t.sshName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    public static Optional<KeyType> fromCertName(String name) {
        for (KeyType t : values()) {
            if (t.certName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
