package dev.keyward.web.audit;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SshSig;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.regex.Pattern;

/**
 * A statement about the audit chain signed by the audit key, written as one line of text:
 * <pre>
 *   keyward-audit-checkpoint v1 seq=1000 hash=&lt;64 hex&gt; time=2026-12-05T10:00:00.123456Z key=SHA256:... sig=&lt;base64&gt;
 * </pre>
 * The signed message is the line up to (not including) {@code " sig="}; {@code sig} is the base64 of an OpenSSH
 * signature (PROTOCOL.sshsig) in the namespace {@link SshSig#AUDIT_CHECKPOINT_NAMESPACE}, so that
 * {@code ssh-keygen -Y verify} checks a line without Keyward. The form is canonical (decimal seq without leading
 * zeros, lower-case hex, UTC time with exactly six fraction digits): a line is accepted only if it is exactly the
 * form its fields give.
 * <ul>
 * <li>{@code keyward-audit-checkpoint}: the chain's entry {@code seq} had hash {@code hash} at {@code time}.</li>
 * <li>{@code keyward-audit-rollback}: at {@code time}, {@code keyward-server restore} put the chain back to entry
 * {@code seq} with hash {@code hash}; checkpoints signed before {@code time} at or past {@code seq} describe the
 * history the restore replaced.</li>
 * </ul>
 *
 * @param seq            the chain entry covered (0: the empty chain, hash {@link AuditHashing#GENESIS})
 * @param hash           that entry's hash, hex
 * @param time           when it was signed, microsecond precision
 * @param keyFingerprint the audit key's SHA-256 fingerprint
 * @param signature      the audit key's signature over {@link #message()}
 */
public record Checkpoint(Kind kind, long seq, String hash, Instant time, String keyFingerprint, SshSig signature) {
    /** What a line states. */
    public enum Kind {
        CHECKPOINT("checkpoint"), ROLLBACK("rollback");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** The word stored in audit_checkpoints.kind. */
        public String label() {
            return label;
        }

        String marker() {
            return "keyward-audit-" + label + " v1 ";
        }

        public static Kind parse(String label) {
            for (Kind k : values()) {
                if (k.label.equals(label)) {
                    return k;
                }
            }
            throw new InvalidInputException("unknown checkpoint kind '" + label + "'");
        }
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC).withResolverStyle(ResolverStyle.STRICT);
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern FINGERPRINT = Pattern.compile("SHA256:[A-Za-z0-9+/]{43}");
    private static final String SIG = " sig=";

    public Checkpoint {
        if (seq < 0 || !HEX64.matcher(hash).matches() || !FINGERPRINT.matcher(keyFingerprint).matches()) {
            throw new InvalidInputException("a checkpoint needs seq >= 0, a 64-digit hex hash and a SHA256 key"
                    + " fingerprint");
        }
        time = AuditHashing.truncate(time);
    }

    /** Signs (kind, seq, hash, time) with the audit key. */
    public static Checkpoint sign(Kind kind, long seq, String hash, Instant time, CaSigner auditKey) {
        Instant t = AuditHashing.truncate(time);
        String fp = auditKey.publicKey().fingerprint();
        byte[] message = message(kind, seq, hash, t, fp).getBytes(StandardCharsets.UTF_8);
        return new Checkpoint(kind, seq, hash, t, fp, SshSig.sign(auditKey, message, SshSig.AUDIT_CHECKPOINT_NAMESPACE));
    }

    /** The signed text: the line without its signature. */
    public String message() {
        return message(kind, seq, hash, time, keyFingerprint);
    }

    /** The whole line, without a line break. */
    public String line() {
        return message() + SIG + signature.base64();
    }

    static String message(Kind kind, long seq, String hash, Instant time, String keyFingerprint) {
        return kind.marker() + "seq=" + seq + " hash=" + hash + " time=" + TIME.format(time) + " key=" + keyFingerprint;
    }

    /** The line a stored row gives (whatever the row holds: {@link #parse} judges it). */
    public static String line(String kind, long seq, String hash, Instant time, String keyFingerprint,
            String signature) {
        return "keyward-audit-" + kind + " v1 seq=" + seq + " hash=" + hash + " time=" + TIME.format(time) + " key="
                + keyFingerprint + SIG + signature;
    }

    /**
     * Whether {@code text} holds a checkpoint line, anywhere in it (a syslog collector puts its own prefix before
     * the message).
     */
    public static boolean mentions(String text) {
        return start(text) >= 0;
    }

    /**
     * Parses the checkpoint line in {@code text} (after any prefix). Anything that is not exactly the canonical form
     * is an {@link InvalidInputException} saying what.
     */
    public static Checkpoint parse(String text) {
        int start = start(text);
        if (start < 0) {
            throw new InvalidInputException("not a checkpoint line (no 'keyward-audit-checkpoint v1' or"
                    + " 'keyward-audit-rollback v1')");
        }
        String line = text.substring(start).stripTrailing();
        int sig = line.indexOf(SIG);
        if (sig < 0) {
            throw new InvalidInputException("the checkpoint line has no signature (sig=)");
        }
        String message = line.substring(0, sig);
        String[] f = message.split(" ", -1);
        if (f.length != 6 || !f[1].equals("v1") || !f[2].startsWith("seq=") || !f[3].startsWith("hash=")
                || !f[4].startsWith("time=") || !f[5].startsWith("key=")) {
            throw new InvalidInputException("the checkpoint line is not 'keyward-audit-<kind> v1 seq= hash= time= key="
                    + " sig='");
        }
        Kind kind = Kind.parse(f[0].substring("keyward-audit-".length()));
        long seq;
        Instant time;
        try {
            seq = Long.parseLong(f[2].substring(4));
            time = TIME.parse(f[4].substring(5), Instant::from);
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new InvalidInputException("the checkpoint line's seq or time is malformed");
        }
        Checkpoint c = new Checkpoint(kind, seq, f[3].substring(5), time, f[5].substring(4),
                SshSig.parse(line.substring(sig + SIG.length())));
        if (!c.message().equals(message)) {
            throw new InvalidInputException("the checkpoint line is not in canonical form");
        }
        return c;
    }

    private static int start(String text) {
        int best = -1;
        for (Kind k : Kind.values()) {
            int i = text.indexOf(k.marker());
            if (i >= 0 && (best < 0 || i < best)) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Whether {@code key} signed this checkpoint: the line names it, the signature carries it, the namespace is the
     * audit namespace and the signature verifies. Never throws for a malformed signature: that is simply not
     * {@code key}'s.
     */
    public boolean signedBy(SshPublicKey key) {
        if (!keyFingerprint.equals(key.fingerprint()) || !signature.publicKey().equals(key)) {
            return false;
        }
        try {
            return signature.verify(message().getBytes(StandardCharsets.UTF_8), SshSig.AUDIT_CHECKPOINT_NAMESPACE);
        } catch (InvalidInputException e) {
            return false;
        }
    }

    /** A short description for messages: "checkpoint 1000 (signed 2026-...Z)". */
    public String describe() {
        return kind.label() + " " + seq + " (signed " + TIME.format(time) + ")";
    }
}
