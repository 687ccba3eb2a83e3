package dev.keyward.agent.testing;

import dev.keyward.ca.testing.Cmd;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** A --root tree for tests: etc/passwd with accounts whose homes live in the tree, and generated keys. */
public final class TestRoot {
    private final Path root;
    private final Path keys;
    private final List<String> passwd = new ArrayList<>();
    private int nextUid = 2000;

    public TestRoot(Path root) throws IOException {
        this.root = root;
        this.keys = Files.createDirectories(root.resolve("keys"));
        Files.createDirectories(root.resolve("etc/ssh"));
        Files.writeString(root.resolve("etc/passwd"), "");
    }

    public Path root() {
        return root;
    }

    /** Adds an account with a home at /home/NAME (created, 0755) and returns its uid. */
    public int account(String name) throws IOException {
        return account(name, nextUid++);
    }

    public int account(String name, int uid) throws IOException {
        Path home = Files.createDirectories(root.resolve("home/" + name));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        passwd.add(name + ":x:" + uid + ":" + uid + ":" + name + ":/home/" + name + ":/bin/sh");
        Files.writeString(root.resolve("etc/passwd"), String.join("\n", passwd) + "\n");
        return uid;
    }

    public Path home(String name) {
        return root.resolve("home/" + name);
    }

    public Path userFile(String name) {
        return home(name).resolve(".ssh/authorized_keys");
    }

    public Path keywardFile(String name) {
        return root.resolve("etc/ssh/keyward/authorized_keys/" + name);
    }

    /** Generates an ed25519 key pair; returns the public-key line (with comment NAME). */
    public String newKey(String name) throws IOException {
        Path priv = Cmd.sshKeygen(keys, name, "ed25519", 0);
        return Files.readString(Path.of(priv + ".pub")).strip();
    }

    public Path privateKey(String name) {
        return keys.resolve(name);
    }

    /** Every regular file under the root (except the keys dir) with its content, to prove nothing changed. */
    public Map<String, String> snapshot() throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.startsWith(keys)) {
                    continue;
                }
                String rel = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    m.put(rel, "-> " + Files.readSymbolicLink(p));
                } else if (Files.isRegularFile(p)) {
                    m.put(rel, Files.readString(p, StandardCharsets.ISO_8859_1) + " mode="
                            + PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
                } else if (Files.isDirectory(p)) {
                    m.put(rel + "/", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
                }
            }
        }
        return m;
    }
}
