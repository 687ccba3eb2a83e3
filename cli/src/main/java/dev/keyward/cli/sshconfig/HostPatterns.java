package dev.keyward.cli.sshconfig;

import dev.keyward.ca.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The hosts {@code keyward ssh-config} sets ssh up for, as ssh patterns ({@code *.example.com}, {@code 10.1.*},
 * {@code !bastion.example.com}; ssh_config(5) "PATTERNS"). They become the {@code Host} line of the block and the
 * host field of each {@code @cert-authority} line, so the host CA is trusted for those names alone: in known_hosts a
 * host on a port other than 22 is {@code [name]:port} (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"), hence
 * {@code [pattern]:*} beside each pattern. Only characters ssh reads literally or as wildcards are accepted, so a
 * pattern can neither break a line nor smuggle a keyword in.
 */
public record HostPatterns(List<String> patterns) {
    private static final Pattern ONE = Pattern.compile("!?[A-Za-z0-9._:*?-]+");

    public HostPatterns {
        patterns = List.copyOf(patterns);
    }

    /** Patterns separated by commas or spaces, from {@code source} (a flag or the config file, for messages). */
    public static HostPatterns parse(List<String> given, String source) {
        List<String> out = new ArrayList<>();
        for (String g : given) {
            for (String p : g.split("[,\\s]+")) {
                if (p.isEmpty()) {
                    continue;
                }
                if (!ONE.matcher(p).matches()) {
                    throw new InvalidInputException(source + ": '" + p + "' is not a host pattern (letters, digits and"
                            + " . - _ : with * and ? as wildcards, ! in front to exclude)");
                }
                if (!out.contains(p)) {
                    out.add(p);
                }
            }
        }
        if (out.stream().allMatch(p -> p.startsWith("!"))) {
            throw new InvalidInputException(source + " names no hosts (give at least one pattern such as"
                    + " '*.example.com')");
        }
        return new HostPatterns(out);
    }

    /** {@code Host a b !c}: the block applies to these hosts. */
    public String hostLine() {
        return "Host " + String.join(" ", patterns);
    }

    /** {@code a,[a]:*,!c,![c]:*}: the host field of an {@code @cert-authority} line. */
    public String knownHostsField() {
        List<String> f = new ArrayList<>();
        for (String p : patterns) {
            boolean negated = p.startsWith("!");
            String name = negated ? p.substring(1) : p;
            String not = negated ? "!" : "";
            f.add(not + name);
            f.add(not + "[" + name + "]:*");
        }
        return String.join(",", f);
    }
}
