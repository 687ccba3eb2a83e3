package dev.keyward.web.audit;

import dev.keyward.ca.Sha256;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;

/**
 * The canonical form of an entry and the chain hash. The canonical form is a version tag followed by each field
 * as a netstring ({@code <byte length>:<UTF-8 bytes>,}), so no two different entries share a form:
 * <pre>
 *   "keyward-audit-v1" seq occurred_at(epoch microseconds) actor action subject details
 * </pre>
 */
public final class AuditHashing {
    /** hash_0: the "previous hash" of entry 1. */
    public static final String GENESIS = "0".repeat(64);
    private static final HexFormat HEX = HexFormat.of();

    private AuditHashing() {
    }

    public static byte[] canonical(long seq, Instant occurredAt, String actor, String action, String subject,
            String details) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + details.length());
        netstring(out, "keyward-audit-v1");
        netstring(out, Long.toString(seq));
        netstring(out, Long.toString(epochMicros(occurredAt)));
        netstring(out, actor);
        netstring(out, action);
        netstring(out, subject);
        netstring(out, details);
        return out.toByteArray();
    }

    public static String hash(String prevHashHex, byte[] canonical) {
        try {
            return HEX.formatHex(Sha256.of(HEX.parseHex(prevHashHex), canonical));
        } catch (IllegalArgumentException e) {
            // a prev_hash that is not hex cannot be the hash of anything: hash it as text so the mismatch shows
            return HEX.formatHex(Sha256.of((prevHashHex + "|").getBytes(StandardCharsets.UTF_8), canonical));
        }
    }

    public static String hashOf(AuditEntry e) {
        return hash(e.prevHash(), canonical(e.seq(), e.occurredAt(), e.actor(), e.action(), e.subject(), e.details()));
    }

    /** PostgreSQL keeps microseconds; hash exactly what is stored. */
    public static Instant truncate(Instant t) {
        return t.truncatedTo(ChronoUnit.MICROS);
    }

    static long epochMicros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
    }

    private static void netstring(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(Integer.toString(b.length).getBytes(StandardCharsets.US_ASCII));
        out.write(':');
        out.writeBytes(b);
        out.write(',');
    }
}
