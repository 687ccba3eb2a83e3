package dev.keyward.ca.policy;

import java.util.Optional;

/**
 * The checks a principal must pass, at issuance and wherever a name that will become one is created (API tokens'
 * usernames and host principals, registered host names): one rule, so that nothing is accepted at creation that
 * issuance then refuses. They mirror {@code Certificate.Builder} (sshd matches principals against
 * comma-separated lists, so commas, whitespace and control characters are refused) so that the policy reports
 * the problem with the rule's name instead of the certificate builder failing later. Invisible formatting
 * characters (Unicode category Cf: the bidirectional controls U+202A-U+202E and U+2066-U+2069, marks such as
 * U+200E, zero-width characters) are refused too: a name that displays as another name in logs, the audit trail
 * or a terminal is a way to deceive whoever reads them. Host names additionally may not contain {@code *} or
 * {@code ?}: ssh(1) treats those as wildcards in host-certificate principals, so one registered name "*" would
 * vouch for every host.
 */
public final class Principals {
    static final int MAX_LENGTH = 255;
    static final int MAX_COUNT = 256;

    private Principals() {
    }

    /** Why {@code name} cannot be a principal (of a user certificate, or a username), or empty if it can. */
    public static Optional<String> problem(String name) {
        if (name.isEmpty()) {
            return Optional.of("a principal may not be empty");
        }
        if (name.length() > MAX_LENGTH) {
            return Optional.of("a principal may be at most " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == ',' || Character.isWhitespace(c) || Character.isISOControl(c)) {
                return Optional.of("a principal may not contain commas, whitespace or control characters");
            }
        }
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            if (Character.getType(cp) == Character.FORMAT) {
                return Optional.of("a principal may not contain invisible formatting or bidirectional characters"
                        + " (U+" + String.format("%04X", cp) + ")");
            }
            if (Character.getType(cp) == Character.SURROGATE) {
                return Optional.of("a principal may not contain an unpaired surrogate (not valid Unicode)");
            }
            i += Character.charCount(cp);
        }
        return Optional.empty();
    }

    /** Why {@code name} cannot be a host-certificate principal (a host name), or empty if it can. */
    public static Optional<String> hostProblem(String name) {
        Optional<String> p = problem(name);
        if (p.isPresent()) {
            return p;
        }
        if (name.indexOf('*') >= 0 || name.indexOf('?') >= 0) {
            return Optional.of("a host principal may not contain '*' or '?' (ssh treats them as wildcards)");
        }
        return Optional.empty();
    }

    /** {@code name} with control characters replaced, safe to quote in a message or a log line. */
    public static String printable(String name) {
        String s = name.replaceAll("[\\p{Cntrl}\\p{Cf}]", "?");
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
