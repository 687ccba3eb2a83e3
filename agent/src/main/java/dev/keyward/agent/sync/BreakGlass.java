package dev.keyward.agent.sync;

import dev.keyward.agent.config.ConfigException;
import dev.keyward.agent.keys.KeyLine;
import dev.keyward.ca.InvalidInputException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Keys the agent never removes, whatever the server says: the operators' way back in when the CA or the
 * server is broken. Listed in agent.conf as {@code break_glass = SHA256:...} or a public-key line.
 */
public final class BreakGlass {
    private final Set<String> fingerprints;

    private BreakGlass(Set<String> fingerprints) {
        this.fingerprints = Set.copyOf(fingerprints);
    }

    public static BreakGlass of(List<String> entries) {
        Set<String> fps = new TreeSet<>();
        for (String e : entries) {
            if (e.startsWith("SHA256:")) {
                if (!StateValidator.FINGERPRINT.matcher(e).matches()) {
                    throw new ConfigException("break_glass: '" + e + "' is not a SHA256 fingerprint");
                }
                fps.add(e);
            } else {
                try {
                    fps.add(KeyLine.parse(e).orElseThrow(() -> new InvalidInputException("empty")).fingerprint());
                } catch (InvalidInputException ex) {
                    throw new ConfigException("break_glass: '" + e + "' is neither a SHA256:... fingerprint nor a"
                            + " public-key line (" + ex.getMessage() + ")");
                }
            }
        }
        return new BreakGlass(fps);
    }

    public boolean contains(String fingerprint) {
        return fingerprints.contains(fingerprint);
    }

    public Set<String> fingerprints() {
        return fingerprints;
    }
}
