package dev.keyward.cli.ssh;

import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.key.JcaKeys;
import dev.keyward.ca.key.KeyType;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.wire.SshReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.EdECPrivateKey;
import java.util.Arrays;

/**
 * A new Ed25519 key that lives only in ssh-agent: generated here (the JDK's provider), handed to the agent with
 * {@link AgentClient#add}, and never written anywhere. Only its public half leaves this object.
 */
public final class MemoryKey {
    private final SshPublicKey publicKey;
    private final byte[] pk;
    private final byte[] seed;

    private MemoryKey(SshPublicKey publicKey, byte[] pk, byte[] seed) {
        this.publicKey = publicKey;
        this.pk = pk;
        this.seed = seed;
    }

    public static MemoryKey generate(String comment) {
        KeyPair kp;
        try {
            kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot generate Ed25519 keys", e);
        }
        SshPublicKey pub = JcaKeys.fromJca(kp.getPublic()).withComment(comment);
        SshReader r = new SshReader(pub.blob(), "Ed25519 public key");
        r.string("key type");
        byte[] a = r.string("Ed25519 key");
        // RFC 8032 section 5.1.5: the private key is the 32-byte seed k; the agent wants k || ENC(A)
        byte[] k = ((EdECPrivateKey) kp.getPrivate()).getBytes().orElseThrow(() ->
                new IllegalStateException("the JDK's Ed25519 key has no seed"));
        return new MemoryKey(pub, a, k);
    }

    public SshPublicKey publicKey() {
        return publicKey;
    }

    /**
     * The plain key's fields for {@link AgentClient#add}: {@code string "ssh-ed25519", string ENC(A),
     * string k || ENC(A)}.
     */
    public byte[] agentFields() {
        return fields(KeyType.ED25519.sshName().getBytes(StandardCharsets.US_ASCII), null);
    }

    /**
     * The certificate's fields for {@link AgentClient#add} (draft-ietf-sshm-ssh-agent, "Ed25519 keys" with a
     * certificate, as OpenSSH serialises a private ED25519_CERT): {@code string cert type, string certificate,
     * string ENC(A), string k || ENC(A)}.
     */
    public byte[] agentFields(SignedCertificate cert) {
        return fields(cert.certTypeName().getBytes(StandardCharsets.US_ASCII), cert.encoded());
    }

    private byte[] fields(byte[] type, byte[] cert) {
        int size = 4 + type.length + (cert == null ? 0 : 4 + cert.length) + 4 + pk.length + 4 + seed.length + pk.length;
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putInt(type.length).put(type);
        if (cert != null) {
            b.putInt(cert.length).put(cert);
        }
        b.putInt(pk.length).put(pk).putInt(seed.length + pk.length).put(seed).put(pk);
        return b.array();
    }

    /** Overwrites the private seed; the key is then unusable here (the agent keeps its own copy). */
    public void destroy() {
        Arrays.fill(seed, (byte) 0);
    }

    /** Never the private half. */
    @Override
    public String toString() {
        return "MemoryKey[" + publicKey.fingerprint() + "]";
    }
}
