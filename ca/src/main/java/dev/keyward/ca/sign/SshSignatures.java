package dev.keyward.ca.sign;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.EcCurves;
import dev.keyward.ca.key.JcaKeys;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.wire.SshReader;
import dev.keyward.ca.wire.SshWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;

/**
 * The one place where JCA signatures and SSH signature blobs are converted, both ways.
 * <ul>
 * <li>ECDSA (RFC 5656 section 3.1.2): blob = string(alg) || string(mpint r || mpint s); JCA gives r||s (P1363).</li>
 * <li>RSA (RFC 8332): blob = string(alg) || string(signature, as long as the modulus).</li>
 * <li>Ed25519 (RFC 8709): blob = string("ssh-ed25519") || string(64-byte signature).</li>
 * </ul>
 */
public final class SshSignatures {
    private SshSignatures() {
    }

    /** Wraps a raw JCA signature (P1363 for ECDSA) as an SSH signature blob. */
    public static byte[] encode(SignatureAlgorithm alg, byte[] jcaSignature, int rsaModulusBytes) {
        SshWriter w = new SshWriter(jcaSignature.length + 64);
        w.string(alg.sshName());
        switch (alg) {
            case ECDSA_P256, ECDSA_P384, ECDSA_P521 -> {
                int half = jcaSignature.length / 2;
                SshWriter inner = new SshWriter(jcaSignature.length + 10);
                inner.mpintUnsigned(jcaSignature, 0, half).mpintUnsigned(jcaSignature, half, half);
                w.string(inner.toByteArray());
            }
            case RSA_SHA2_256, RSA_SHA2_512, SSH_RSA -> {
                if (jcaSignature.length < rsaModulusBytes) { // PKCS#11 tokens may strip leading zeros
                    byte[] padded = new byte[rsaModulusBytes];
                    System.arraycopy(jcaSignature, 0, padded, rsaModulusBytes - jcaSignature.length, jcaSignature.length);
                    jcaSignature = padded;
                }
                w.string(jcaSignature);
            }
            case ED25519 -> w.string(jcaSignature);
        }
        return w.toByteArray();
    }

    /**
     * Verifies an SSH signature blob over {@code data} with an SSH public key. Returns false for a wrong
     * signature; throws {@link InvalidInputException} for a malformed blob or a mismatched algorithm.
     */
    public static boolean verify(SshPublicKey key, byte[] data, byte[] signatureBlob) {
        SshReader r = new SshReader(signatureBlob, "signature");
        String algName = new String(r.string("signature algorithm"), StandardCharsets.US_ASCII);
        SignatureAlgorithm alg = SignatureAlgorithm.fromSshName(algName);
        if (alg.keyType() != key.type()) {
            throw new InvalidInputException("signature algorithm " + algName + " does not match the "
                    + key.type().sshName() + " signing key");
        }
        byte[] sig = r.string("signature");
        r.expectEnd();
        PublicKey pub = JcaKeys.toJca(key);
        byte[] jcaSig;
        String jcaAlg = alg.jcaName();
        switch (alg) {
            case ECDSA_P256, ECDSA_P384, ECDSA_P521 -> {
                SshReader rs = new SshReader(sig, "ECDSA signature");
                BigInteger sr = rs.positiveMpint("r");
                BigInteger ss = rs.positiveMpint("s");
                rs.expectEnd();
                int n = EcCurves.byName(key.type().curve()).fieldBytes();
                if (sr.bitLength() > n * 8 || ss.bitLength() > n * 8) {
                    return false;
                }
                jcaSig = new byte[2 * n];
                copyFixed(sr, jcaSig, 0, n);
                copyFixed(ss, jcaSig, n, n);
            }
            case RSA_SHA2_256, RSA_SHA2_512, SSH_RSA -> {
                int modBytes = (((RSAPublicKey) pub).getModulus().bitLength() + 7) / 8;
                if (sig.length > modBytes) {
                    return false;
                }
                jcaSig = sig;
            }
            case ED25519 -> {
                if (sig.length != 64) {
                    return false;
                }
                jcaSig = sig;
            }
            default -> throw new IllegalStateException();
        }
        try {
            Signature v = Signature.getInstance(jcaAlg);
            v.initVerify(pub);
            v.update(data);
            return v.verify(jcaSig);
        } catch (java.security.SignatureException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JCA cannot verify " + jcaAlg, e);
        }
    }

    private static void copyFixed(BigInteger v, byte[] out, int off, int len) {
        byte[] raw = v.toByteArray();
        int start = raw.length > len ? raw.length - len : 0;
        int copy = raw.length - start;
        System.arraycopy(raw, start, out, off + len - copy, copy);
    }
}
