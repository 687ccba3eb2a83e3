package dev.keyward.agent.keys;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.AuthorizedKeyLine;
import dev.keyward.ca.key.KeyPolicy;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.wire.SshReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * One key line of an authorized_keys file, read leniently: options (verbatim, in order), the key type as
 * written, the decoded blob and its fingerprint, the comment. Keys Keyward would not issue for (DSA, RSA under
 * 2048 bits, unknown types) still get a fingerprint and, where the type is known, a size, so they can be
 * inventoried, flagged weak and purged. {@link #problem()} says why Keyward's key policy refuses the key, if it does.
 *
 * @param raw         the line as read, without its line terminator
 * @param options     options as written ({@code from="10.0.0.0/8"}, {@code no-pty})
 * @param type        the key type token ({@code ssh-ed25519})
 * @param blob        the decoded key blob
 * @param fingerprint {@code SHA256:...} of the blob, as ssh-keygen -lf prints it
 * @param bits        key size, -1 when unknown
 * @param comment     the comment, possibly empty
 * @param problem     why Keyward's key policy refuses this key (DSA, short RSA, unknown type), empty if none
 */
public record KeyLine(String raw, List<String> options, String type, byte[] blob, String fingerprint, int bits,
        String comment, String problem) {

    private static final int MIN_RSA_BITS = KeyPolicy.DEFAULT.minRsaBits();
    public KeyLine {
        options = List.copyOf(options);
    }

    /** The line without its options: {@code type base64 [comment]}. */
    public String keyText() {
        String k = type + " " + Base64.getEncoder().encodeToString(blob);
        return comment.isEmpty() ? k : k + " " + comment;
    }

    /**
     * Parses {@code line}. Empty for blank lines and comments; throws {@link InvalidInputException} for a line
     * that is not a key line at all (no base64 key where one should be, a blob that does not hold the type the
     * line names, trailing bytes, bad options).
     *
     * <p>The blob's structure is checked, not its mathematics (curve points, RSA exponents): that is the
     * server's job when a key is registered ({@code PublicKeyParser}), and a host has tens of thousands of keys
     * to read every cycle. Policy problems (DSA, RSA under 2048 bits, unknown types) land in {@link #problem()}.
     */
    public static Optional<KeyLine> parse(String line) {
        return parse(line, true);
    }

    /**
     * As {@link #parse(String)}; with {@code fingerprint} false the fingerprint is left empty (a SHA-256 saved
     * per key when only the line's validity matters).
     */
    public static Optional<KeyLine> parse(String line, boolean fingerprint) {
        String s = line.strip();
        if (s.isEmpty() || s.startsWith("#")) {
            return Optional.empty();
        }
        if (s.length() > PublicKeyParser.MAX_INPUT_BYTES) {
            throw new InvalidInputException("line is longer than " + PublicKeyParser.MAX_INPUT_BYTES + " characters");
        }
        List<String> options = new ArrayList<>();
        int i = 0;
        if (!looksLikeKeyType(s.substring(0, blank(s, 0)))) {
            i = skipBlanks(s, AuthorizedKeyLine.splitOptions(s, options));
        }
        int typeEnd = blank(s, i);
        String type = s.substring(i, typeEnd);
        int b64Start = skipBlanks(s, typeEnd);
        int b64End = blank(s, b64Start);
        if (type.isEmpty() || b64Start >= s.length()) {
            throw new InvalidInputException("no key type and base64 key after the options");
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(s.substring(b64Start, b64End));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("the key is not valid base64");
        }
        if (blob.length == 0) {
            throw new InvalidInputException("the key is empty");
        }
        String comment = s.substring(skipBlanks(s, b64End)).strip();
        int[] bits = {-1};
        String problem = structure(type, blob, bits);
        return Optional.of(new KeyLine(line, options, type, blob, fingerprint ? fingerprint(blob) : "", bits[0],
                comment, problem));
    }

    /** {@code SHA256:<base64 without padding>}, as {@link SshPublicKey#fingerprint()} and ssh-keygen -lf. */
    public static String fingerprint(byte[] blob) {
        return SshPublicKey.fingerprintOf(blob);
    }

    /** Checks the blob against its type (RFC 4253 6.6, PROTOCOL.u2f); sets the size; returns the policy problem. */
    private static String structure(String type, byte[] blob, int[] bits) {
        SshReader r = new SshReader(blob, "key");
        String inner = new String(r.string("key type"), StandardCharsets.US_ASCII);
        if (!inner.equals(type)) {
            throw new InvalidInputException("the line says " + type + " but the key inside is " + inner);
        }
        String problem = "";
        switch (type) {
            case "ssh-ed25519", "sk-ssh-ed25519@openssh.com" -> {
                if (r.string("Ed25519 key").length != 32) {
                    throw new InvalidInputException("an Ed25519 key must be 32 bytes");
                }
                bits[0] = 256;
                if (type.startsWith("sk-")) {
                    r.string("application");
                }
            }
            case "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
                    "sk-ecdsa-sha2-nistp256@openssh.com" -> {
                String curve = new String(r.string("curve"), StandardCharsets.US_ASCII);
                if (!curve.startsWith("nistp") || !type.contains(curve)) {
                    throw new InvalidInputException("ECDSA key of type " + type + " names curve " + curve);
                }
                r.string("EC point");
                bits[0] = Integer.parseInt(curve.substring("nistp".length()));
                if (type.startsWith("sk-")) {
                    r.string("application");
                }
            }
            case "ssh-rsa" -> {
                r.mpint("e");
                bits[0] = r.mpint("n").bitLength();
                if (bits[0] < MIN_RSA_BITS) {
                    problem = "RSA key is " + bits[0] + " bits; the minimum is " + MIN_RSA_BITS;
                }
            }
            case "ssh-dss" -> {
                bits[0] = r.mpint("p").bitLength();
                r.mpint("q");
                r.mpint("g");
                r.mpint("y");
                problem = "DSA keys (ssh-dss) are limited to 1024 bits and removed from OpenSSH";
            }
            default -> {
                return "unsupported key type '" + type + "'";
            }
        }
        r.expectEnd();
        return problem;
    }

    private static int blank(String s, int from) {
        int i = from;
        while (i < s.length() && s.charAt(i) != ' ' && s.charAt(i) != '\t') {
            i++;
        }
        return i;
    }

    private static int skipBlanks(String s, int from) {
        int i = from;
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    /** Key type names start like this; an options list never does (no option is named so). */
    static boolean looksLikeKeyType(String token) {
        return token.startsWith("ssh-") || token.startsWith("ecdsa-sha2-") || token.startsWith("sk-ssh-")
                || token.startsWith("sk-ecdsa-") || token.equals("rsa-sha2-256") || token.equals("rsa-sha2-512");
    }
}
