package dev.keyward.ca.key;

import dev.keyward.ca.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One key line of an authorized_keys file (sshd(8) "AUTHORIZED_KEYS FILE FORMAT"):
 * {@code [options] type base64 [comment]}. Options are kept verbatim, in order, as {@code name} or
 * {@code name="value"} with the quotes as written, so a line can be written back unchanged.
 *
 * @param options the options, each as written (e.g. {@code from="10.0.0.0/8"}, {@code no-pty})
 * @param key     the validated key, with the line's comment
 * @param raw     the line exactly as read
 */
public record AuthorizedKeyLine(List<String> options, SshPublicKey key, String raw) {
    public AuthorizedKeyLine {
        options = List.copyOf(options);
    }

    /**
     * Parses a line. Returns empty for blank lines and comments ({@code #...}); throws
     * {@link InvalidInputException} for a line that is neither a comment nor a valid key line, options included:
     * a line with an option sshd would refuse ({@link AuthorizedKeyOptions}) is one sshd skips.
     */
    public static Optional<AuthorizedKeyLine> parse(String line, PublicKeyParser parser) {
        if (line.length() > PublicKeyParser.MAX_INPUT_BYTES) {
            throw new InvalidInputException("authorized_keys line is too long");
        }
        String s = line.strip();
        if (s.isEmpty() || s.startsWith("#")) {
            return Optional.empty();
        }
        String first = s.split("[ \t]+", 2)[0];
        if (KeyType.fromSshName(first).isPresent() || first.equals("ssh-dss")) {
            return Optional.of(new AuthorizedKeyLine(List.of(), parser.parseLine(s), line));
        }
        List<String> options = new ArrayList<>();
        int i = splitOptions(s, options);
        String rest = s.substring(Math.min(i, s.length())).strip();
        if (rest.isEmpty()) {
            throw new InvalidInputException("authorized_keys line has options but no key");
        }
        AuthorizedKeyOptions.check(options);
        return Optional.of(new AuthorizedKeyLine(options, parser.parseLine(rest), line));
    }

    /**
     * Splits the options at the start of {@code s} (up to the first unquoted blank) into {@code options}, each
     * kept as written, quotes and escaped quotes included; returns the index just after them. Shared by every
     * reader of authorized_keys lines (the agent keeps user files byte for byte with it).
     */
    public static int splitOptions(String s, List<String> options) {
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
            throw new InvalidInputException("authorized_keys options have an unterminated quote");
        }
        addOption(options, cur);
        return i;
    }

    private static void addOption(List<String> options, StringBuilder cur) {
        if (cur.isEmpty()) {
            throw new InvalidInputException("authorized_keys options contain an empty option");
        }
        options.add(cur.toString());
        cur.setLength(0);
    }

    /** The line in canonical form: options joined by commas, then the key line with its comment. */
    public String format() {
        String keyLine = key.toOpenSsh();
        return options.isEmpty() ? keyLine : String.join(",", options) + " " + keyLine;
    }
}
