package dev.keyward.agent.accounts;

import dev.keyward.agent.config.AgentPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The accounts of {@code <root>/etc/passwd} (name:x:uid:gid:gecos:home:shell). Malformed lines are skipped,
 * as getpwent(3) does; the first entry for a name wins.
 */
public final class Passwd {
    private final Map<String, Account> byName;

    private Passwd(Map<String, Account> byName) {
        this.byName = byName;
    }

    public static Passwd read(AgentPaths paths) throws IOException {
        return parse(Files.readString(paths.resolve(AgentPaths.PASSWD), StandardCharsets.UTF_8));
    }

    public static Passwd parse(String text) {
        Map<String, Account> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#") || line.startsWith("+") || line.startsWith("-")) {
                continue;
            }
            String[] f = line.split(":", -1);
            if (f.length < 7 || f[0].isEmpty() || !f[5].startsWith("/")) {
                continue;
            }
            try {
                Account a = new Account(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3]), f[5], f[6]);
                m.putIfAbsent(a.name(), a);
            } catch (NumberFormatException e) {
                // not a valid entry
            }
        }
        return new Passwd(m);
    }

    public Optional<Account> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Collection<Account> all() {
        return byName.values();
    }
}
