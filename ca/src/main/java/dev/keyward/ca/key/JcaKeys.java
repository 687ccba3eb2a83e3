package dev.keyward.ca.key;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.wire.SshReader;
import dev.keyward.ca.wire.SshWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/** Conversions between SSH public keys and JCA public keys (for CA keys: Ed25519, ECDSA, RSA). */
public final class JcaKeys {
    /** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410), followed by the 32-byte key. */
    private static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03,
            0x21, 0x00};

    private JcaKeys() {
    }

    /** The SSH form of a JCA public key (from a token, a file or a generator). */
    public static SshPublicKey fromJca(PublicKey key) {
        SshWriter w = new SshWriter();
        if (key instanceof RSAPublicKey rsa) {
            w.string(KeyType.RSA.sshName()).mpint(rsa.getPublicExponent()).mpint(rsa.getModulus());
        } else if (key instanceof ECPublicKey ec) {
            EcCurves.Curve c = EcCurves.byParams(ec.getParams());
            KeyType t = KeyType.fromSshName("ecdsa-sha2-" + c.sshName()).orElseThrow();
            w.string(t.sshName()).string(c.sshName()).string(c.encodePoint(ec.getW()));
        } else if (key instanceof EdECPublicKey || "Ed25519".equalsIgnoreCase(key.getAlgorithm())
                || "EdDSA".equalsIgnoreCase(key.getAlgorithm())) {
            byte[] spki = key.getEncoded();
            if (spki == null || spki.length != ED25519_SPKI_PREFIX.length + 32
                    || !Arrays.equals(spki, 0, ED25519_SPKI_PREFIX.length, ED25519_SPKI_PREFIX, 0,
                            ED25519_SPKI_PREFIX.length)) {
                throw new InvalidInputException("unsupported EdDSA key (only Ed25519 is used by SSH)");
            }
            w.string(KeyType.ED25519.sshName()).string(Arrays.copyOfRange(spki, ED25519_SPKI_PREFIX.length, spki.length));
        } else {
            throw new InvalidInputException("unsupported key algorithm " + key.getAlgorithm());
        }
        return new PublicKeyParser(new KeyPolicy(1024)).parseBlob(w.toByteArray());
    }

    /** The JCA form of an SSH key, for signature verification. Security-key types have no JCA form here. */
    public static PublicKey toJca(SshPublicKey key) {
        try {
            SshReader r = new SshReader(key.blob(), "public key");
            r.string("key type");
            switch (key.type()) {
                case ED25519 -> {
                    byte[] pk = r.string("Ed25519 key");
                    byte[] spki = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + 32);
                    System.arraycopy(pk, 0, spki, ED25519_SPKI_PREFIX.length, 32);
                    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
                }
                case ECDSA_P256, ECDSA_P384, ECDSA_P521 -> {
                    EcCurves.Curve c = EcCurves.byName(new String(r.string("curve"), java.nio.charset.StandardCharsets.US_ASCII));
                    return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(c.decodePoint(r.string("Q")), c.params()));
                }
                case RSA -> {
                    BigInteger e = r.positiveMpint("e");
                    BigInteger n = r.positiveMpint("n");
                    return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
                }
                default -> throw new InvalidInputException(key.type().sshName() + " keys cannot be CA keys");
            }
        } catch (GeneralSecurityException e) {
            throw new InvalidInputException("cannot use " + key.type().sshName() + " key: " + e.getMessage(), e);
        }
    }
}
