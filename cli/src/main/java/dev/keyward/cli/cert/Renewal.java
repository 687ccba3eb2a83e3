package dev.keyward.cli.cert;

import dev.keyward.ca.cert.Certificate;
import java.math.BigInteger;
import java.time.Instant;

/**
 * When a certificate is due for renewal: with less than a third of its lifetime ({@code valid_before -
 * valid_after}) left, or expired. Renewing at two thirds leaves a third of the lifetime to retry in (a server
 * down, a laptop asleep) before ssh stops working. Validity bounds are unsigned 64-bit (PROTOCOL.certkeys); a
 * certificate valid "forever" is never due.
 */
public final class Renewal {
    private static final BigInteger THREE = BigInteger.valueOf(3);

    private Renewal() {
    }

    public static boolean due(Certificate c, Instant now) {
        if (c.validBefore() == Certificate.FOREVER) {
            return false;
        }
        BigInteger before = unsigned(c.validBefore());
        BigInteger remaining = before.subtract(BigInteger.valueOf(now.getEpochSecond()));
        BigInteger lifetime = before.subtract(unsigned(c.validAfter()));
        return remaining.signum() <= 0 || remaining.multiply(THREE).compareTo(lifetime) < 0;
    }

    private static BigInteger unsigned(long v) {
        return new BigInteger(Long.toUnsignedString(v));
    }
}
