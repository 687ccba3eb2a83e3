package dev.keyward.ca.key;

import dev.keyward.ca.InvalidInputException;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.util.Arrays;

/** The NIST curves SSH uses (RFC 5656), with point decoding that checks the point is on the curve. */
public final class EcCurves {
    private EcCurves() {
    }

    /** One curve: its SSH identifier, the JCA parameters and helpers for the SEC1 uncompressed encoding. */
    public record Curve(String sshName, String jcaName, int bits, ECParameterSpec params, String hash) {
        public int fieldBytes() {
            return (bits + 7) / 8;
        }

        /** Decodes an uncompressed SEC1 point (0x04 || X || Y), checking y^2 = x^3 + ax + b (mod p). */
        public ECPoint decodePoint(byte[] q) {
            int n = fieldBytes();
            if (q.length != 1 + 2 * n || q[0] != 0x04) {
                throw new InvalidInputException("EC point for " + sshName + " must be uncompressed ("
                        + (1 + 2 * n) + " bytes starting 0x04), got " + q.length + " bytes");
            }
            BigInteger x = new BigInteger(1, Arrays.copyOfRange(q, 1, 1 + n));
            BigInteger y = new BigInteger(1, Arrays.copyOfRange(q, 1 + n, q.length));
            BigInteger p = ((ECFieldFp) params.getCurve().getField()).getP();
            if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
                throw new InvalidInputException("EC point coordinates exceed the " + sshName + " field");
            }
            BigInteger a = params.getCurve().getA();
            BigInteger b = params.getCurve().getB();
            BigInteger lhs = y.multiply(y).mod(p);
            BigInteger rhs = x.pow(3).add(a.multiply(x)).add(b).mod(p);
            if (!lhs.equals(rhs)) {
                throw new InvalidInputException("EC point is not on curve " + sshName);
            }
            return new ECPoint(x, y);
        }

        public byte[] encodePoint(ECPoint w) {
            int n = fieldBytes();
            byte[] out = new byte[1 + 2 * n];
            out[0] = 0x04;
            copyFixed(w.getAffineX(), out, 1, n);
            copyFixed(w.getAffineY(), out, 1 + n, n);
            return out;
        }
    }

    public static final Curve P256 = curve("nistp256", "secp256r1", 256, "SHA256");
    public static final Curve P384 = curve("nistp384", "secp384r1", 384, "SHA384");
    public static final Curve P521 = curve("nistp521", "secp521r1", 521, "SHA512");

    public static Curve byName(String sshName) {
        return switch (sshName) {
            case "nistp256" -> P256;
            case "nistp384" -> P384;
            case "nistp521" -> P521;
            default -> throw new InvalidInputException("unsupported EC curve '" + sshName + "'");
        };
    }

    /** The curve whose order matches these JCA parameters (for keys coming from a token or a file). */
    public static Curve byParams(ECParameterSpec spec) {
        for (Curve c : new Curve[] {P256, P384, P521}) {
            if (c.params().getOrder().equals(spec.getOrder())) {
                return c;
            }
        }
        throw new InvalidInputException("unsupported EC curve (only P-256, P-384 and P-521 are used by SSH)");
    }

    static void copyFixed(BigInteger v, byte[] out, int off, int len) {
        byte[] raw = v.toByteArray();
        int start = raw.length > len ? raw.length - len : 0;
        int copy = raw.length - start;
        System.arraycopy(raw, start, out, off + len - copy, copy);
    }

    private static Curve curve(String ssh, String jca, int bits, String hash) {
        try {
            AlgorithmParameters ap = AlgorithmParameters.getInstance("EC");
            ap.init(new ECGenParameterSpec(jca));
            return new Curve(ssh, jca, bits, ap.getParameterSpec(ECParameterSpec.class), hash);
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
