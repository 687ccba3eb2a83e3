package dev.keyward.ca.policy;

import java.util.Optional;

/**
 * The checks a principal must pass. They mirror {@code Certificate.Builder} (sshd matches principals against
 * comma-separated lists, so commas, whitespace and control characters are refused) so that the policy reports
 * the problem with the rule's name instead of the certificate builder failing later. Host names additionally may
 * not contain {@code *} or {@code ?}: ssh(1) treats those as wildcards in host-certificate principals, so one
 * registered name "*" would vouch for every host.
 */
final class Principals {
    static final int MAX_LENGTH = 255;
    static final int MAX_COUNT = 256;

    private Principals() {
    }

    /** Why {@code name} cannot be a principal, or empty if it can. */
    static Optional<String> problem(String name) {
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
        return Optional.empty();
    }

    /** Why {@code name} cannot be a host-certificate principal, or empty if it can. */
    static Optional<String> hostProblem(String name) {
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
    static String printable(String name) {
        String s = name.replaceAll("\\p{Cntrl}", "?");
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
