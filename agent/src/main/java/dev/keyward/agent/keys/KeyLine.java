package dev.keyward.agent.keys;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.KeyPolicy;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.wire.SshReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * One key line of an authorized_keys file, read leniently: options (verbatim, in order), the key type as
 * written, the decoded blob and its fingerprint, the comment. Keys Keyward would not issue for (DSA, RSA under
 * 2048 bits, unknown types) still get a fingerprint and, where the type is known, a size, so they can be
 * inventoried, flagged weak and purged. {@link #problem()} says why the strict parser refuses the key, if it does.
 *
 * @param raw         the line as read, without its line terminator
 * @param options     options as written ({@code from="10.0.0.0/8"}, {@code no-pty})
 * @param type        the key type token ({@code ssh-ed25519})
 * @param blob        the decoded key blob
 * @param fingerprint {@code SHA256:...} of the blob, as ssh-keygen -lf prints it
 * @param bits        key size, -1 when unknown
 * @param comment     the comment, possibly empty
 * @param problem     why Keyward's key policy refuses this key, empty if it accepts it
 */
public record KeyLine(String raw, List<String> options, String type, byte[] blob, String fingerprint, int bits,
        String comment, String problem) {

    private static final PublicKeyParser STRICT = PublicKeyParser.withDefaults();
    private static final PublicKeyParser LENIENT_RSA = new PublicKeyParser(new KeyPolicy(1024));

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
     * that is not a key line at all (no base64 key where one should be).
     */
    public static Optional<KeyLine> parse(String line) {
        String s = line.strip();
        if (s.isEmpty() || s.startsWith("#")) {
            return Optional.empty();
        }
        if (s.length() > PublicKeyParser.MAX_INPUT_BYTES) {
            throw new InvalidInputException("line is longer than " + PublicKeyParser.MAX_INPUT_BYTES + " characters");
        }
        List<String> options = new ArrayList<>();
        int i = 0;
        String first = firstToken(s);
        if (!looksLikeKeyType(first)) {
            i = parseOptions(s, options);
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
                i++;
            }
        }
        String rest = s.substring(i);
        String[] parts = rest.split("[ \t]+", 3);
        if (parts.length < 2 || parts[0].isEmpty()) {
            throw new InvalidInputException("no key type and base64 key after the options");
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(parts[1]);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("the key is not valid base64");
        }
        if (blob.length == 0) {
            throw new InvalidInputException("the key is empty");
        }
        String comment = parts.length == 3 ? parts[2].strip() : "";
        String keyText = parts[0] + " " + parts[1];
        int bits = -1;
        String problem = "";
        try {
            bits = STRICT.parseLine(keyText).bits();
        } catch (InvalidInputException strict) {
            problem = strict.getMessage();
            bits = lenientBits(parts[0], keyText, blob);
        }
        return Optional.of(new KeyLine(line, options, parts[0], blob, SshPublicKey.fingerprintOf(blob), bits, comment,
                problem));
    }

    private static int lenientBits(String type, String keyText, byte[] blob) {
        try {
            if (type.equals("ssh-rsa")) {
                return LENIENT_RSA.parseLine(keyText).bits();
            }
        } catch (InvalidInputException e) {
            // fall through to reading the modulus directly (RSA under 1024 bits)
        }
        try {
            SshReader r = new SshReader(blob, "key");
            String inner = new String(r.string("type"), StandardCharsets.US_ASCII);
            if (!inner.equals(type)) {
                return -1;
            }
            if (type.equals("ssh-rsa")) {
                r.mpint("e");
                return r.mpint("n").bitLength();
            }
            if (type.equals("ssh-dss")) {
                BigInteger p = r.mpint("p");
                return p.bitLength();
            }
        } catch (InvalidInputException e) {
            return -1;
        }
        return -1;
    }

    private static String firstToken(String s) {
        int end = 0;
        while (end < s.length() && s.charAt(end) != ' ' && s.charAt(end) != '\t') {
            end++;
        }
        return s.substring(0, end);
    }

    /** Key type names start like this; an options list never does (no option is named so). */
    static boolean looksLikeKeyType(String token) {
        return token.startsWith("ssh-") || token.startsWith("ecdsa-sha2-") || token.startsWith("sk-ssh-")
                || token.startsWith("sk-ecdsa-") || token.equals("rsa-sha2-256") || token.equals("rsa-sha2-512");
    }

    /** Reads the options up to the first unquoted blank; returns the index after them. */
    private static int parseOptions(String s, List<String> options) {
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        int i = 0;
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) {
                if (c == '\\' && i + 1 < s.length() && s.charAt(i + 1) == '"') {
                    cur.append("\\\"");
                    i++;
                    continue;
                }
                if (c == '"') {
                    quoted = false;
                }
                cur.append(c);
            } else if (c == '"') {
                quoted = true;
                cur.append(c);
            } else if (c == ',') {
                addOption(options, cur);
            } else if (c == ' ' || c == '\t') {
                break;
            } else {
                cur.append(c);
            }
        }
        if (quoted) {
            throw new InvalidInputException("the options have an unterminated quote");
        }
        addOption(options, cur);
        return i;
    }

    private static void addOption(List<String> options, StringBuilder cur) {
        if (cur.isEmpty()) {
            throw new InvalidInputException("the options contain an empty option");
        }
        options.add(cur.toString());
        cur.setLength(0);
    }
}
