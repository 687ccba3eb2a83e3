package dev.keyward.ca.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** ssh-keygen as a test oracle for KRLs: build them with {@code -k}, query them with {@code -Q}. */
public final class OpenSshTool {
    private OpenSshTool() {
    }

    /**
     * {@code ssh-keygen -k -f krl [options] spec}: writes {@code specText} to a file beside {@code krl} and builds
     * the KRL. Options are ssh-keygen's own, e.g. {@code "-s", "ca.pub"}, {@code "-s", "none"}, {@code "-z", "7"}.
     */
    public static Path generateKrl(Path krl, String specText, String... options) {
        Path spec = krl.resolveSibling(krl.getFileName() + ".spec");
        try {
            Files.writeString(spec, specText);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> cmd = new ArrayList<>(List.of("ssh-keygen", "-k", "-f", krl.toString()));
        cmd.addAll(List.of(options));
        cmd.add(spec.toString());
        Cmd.run(cmd).orThrow();
        return krl;
    }

    /**
     * {@code ssh-keygen -Q -f krl file...} in one process: for each file (a public key or a {@code -cert.pub}),
     * whether ssh-keygen reports it REVOKED. Fails the test if ssh-keygen cannot load the KRL or a file.
     */
    public static Map<Path, Boolean> queryRevoked(Path krl, List<Path> files) {
        Map<Path, Boolean> answers = new LinkedHashMap<>();
        for (int from = 0; from < files.size(); from += 500) { // keep the command line short
            List<Path> batch = files.subList(from, Math.min(files.size(), from + 500));
            List<String> cmd = new ArrayList<>(List.of("ssh-keygen", "-Q", "-f", krl.toString()));
            batch.forEach(p -> cmd.add(p.toString()));
            Cmd.Result r = Cmd.run(cmd);
            if (r.exitCode() != 0 && r.exitCode() != 1) {
                throw new AssertionError("ssh-keygen -Q failed (" + r.exitCode() + "): " + r.stderr() + r.stdout());
            }
            // One line per file: "<path>[ (<comment>)]: REVOKED" or "...: ok".
            for (String line : r.stdout().split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                Path p = batch.stream().filter(f -> line.startsWith(f + ":") || line.startsWith(f + " ("))
                        .findFirst().orElseThrow(() -> new AssertionError("unexpected ssh-keygen -Q line: " + line));
                boolean revoked = line.endsWith(": REVOKED");
                if (!revoked && !line.endsWith(": ok")) {
                    throw new AssertionError("unexpected ssh-keygen -Q line: " + line);
                }
                answers.put(p, revoked);
            }
            boolean anyRevoked = batch.stream().anyMatch(p -> Boolean.TRUE.equals(answers.get(p)));
            if ((r.exitCode() == 1) != anyRevoked) {
                throw new AssertionError("ssh-keygen -Q exit code " + r.exitCode() + " disagrees with its output");
            }
        }
        for (Path f : files) {
            if (!answers.containsKey(f)) {
                throw new AssertionError("ssh-keygen -Q said nothing about " + f);
            }
        }
        return answers;
    }

    /** {@code ssh-keygen -Q -l -f krl}: the KRL as ssh-keygen lists it. */
    public static String list(Path krl) {
        return Cmd.run(List.of("ssh-keygen", "-Q", "-l", "-f", krl.toString())).orThrow().stdout();
    }

    /** Whether ssh-keygen can load the KRL at all (it checks a key that nothing revokes). */
    public static Cmd.Result tryLoad(Path krl) {
        return Cmd.run(List.of("ssh-keygen", "-Q", "-l", "-f", krl.toString()));
    }
}
