package dev.keyward.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.agent.protocol.AgentState;
import dev.keyward.agent.testing.StubServer;
import dev.keyward.agent.testing.TestRoot;
import dev.keyward.ca.json.Json;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.wire.SshWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk fills while the agent writes: the packaged jar runs a cycle in a JVM of its own under a file-size
 * limit ({@code prlimit --fsize}, RLIMIT_FSIZE: a write past the limit fails with EFBIG, which the JVM, ignoring
 * SIGXFSZ, gets as an IOException after a short write), so each file larger than the limit fails part-way. The
 * cycle must change a large keyward authorized_keys file, the user's own authorized_keys (a purge), the KRL, the
 * trusted CA keys and the host certificate, each of a different size; for each limit, every managed file is
 * afterwards byte for byte either what it was or the complete new content (as a cycle with room writes it), no
 * temp file is left, {@code once} exits 1 naming the failure, and the next cycle with room succeeds.
 */
class DiskFullIT {
    static final Path JAR = Path.of("target/keyward-agent.jar");
    static final String USER = "alice";
    /** Accounts whose keyward files the cycle creates: staged while it plans, renamed once the plan passed. */
    static final String SMALL_NEW = "bob";
    static final String LARGE_NEW = "carl";
    /** The files sshd reads that the cycle changes (under --root). */
    static final List<String> MANAGED = List.of("etc/ssh/keyward/authorized_keys/" + USER,
            "home/" + USER + "/.ssh/authorized_keys", "etc/ssh/keyward/revoked_keys",
            "etc/ssh/keyward/trusted_user_ca_keys", "etc/ssh/ssh_host_ed25519_key-cert.pub",
            "etc/ssh/keyward/authorized_keys/" + SMALL_NEW, "etc/ssh/keyward/authorized_keys/" + LARGE_NEW);

    @TempDir
    Path tmp;

    @Test
    void aWriteThatDoesNotFitLeavesEveryFileWholeTheCycleFailedAndTheNextCycleSucceeds() throws Exception {
        Path before = tmp.resolve("before");
        TestRoot t = new TestRoot(before);
        t.account(USER, (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        t.account(SMALL_NEW);
        t.account(LARGE_NEW);
        Cmd.sshKeygen(before.resolve("etc/ssh"), "ssh_host_ed25519_key", "ed25519", 0);
        Files.writeString(before.resolve("etc/ssh/sshd_config"), "");
        Path cred = Files.createDirectories(before.resolve("var/lib/keyward-agent")).resolve("credential");
        Files.writeString(cred, StubServer.CREDENTIAL + "\n");
        Files.setPosixFilePermissions(cred, PosixFilePermissions.fromString("rw-------"));
        // the user's own file: 200 keys (about 20 KB), one of which the new state purges
        KeyPairGenerator ed = KeyPairGenerator.getInstance("Ed25519");
        List<String> own = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            own.add(ed25519Line(ed, "own-" + i));
        }
        Path ssh = Files.createDirectories(t.home(USER).resolve(".ssh"));
        Files.setPosixFilePermissions(ssh, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(ssh.resolve("authorized_keys"), String.join("\n", own) + "\n");
        Files.setPosixFilePermissions(ssh.resolve("authorized_keys"), PosixFilePermissions.fromString("rw-------"));

        Path hostCa = Cmd.sshKeygen(Files.createDirectories(tmp.resolve("ca")), "host-ca", "ed25519", 0);
        String userCa1 = ed25519Line(ed, "user-ca-1");
        String userCa2 = ed25519Line(ed, "user-ca-2");
        try (StubServer server = new StubServer()) {
            // the first state, applied with room: one key, an empty KRL, a host certificate due for renewal soon
            server.krl = krl(1, 0);
            server.state = Json.write(state(1, Map.of(USER, new AgentState.AccountState(
                    desired(List.of(ed25519Line(ed, "first"))), List.of())), List.of(userCa1)));
            String cert1 = hostCert(before, hostCa, "-50m:+10m", 1); // a sixth of its life left: due
            server.hostCerts = req -> json(Map.of("host_certs", List.of(cert1)));
            Cmd.Result first = agent(before, server, 0);
            assertEquals(0, first.exitCode(), first.stdout() + first.stderr());
            Map<String, byte[]> old = contents(before);

            // the new state: 1,000 keys (about 90 KB) and a purge for one account, new files for two more (one key,
            // 300 keys), a 40 KB KRL, a second CA key, a 13 KB host certificate
            List<String> many = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                many.add(ed25519Line(ed, "key-" + i));
            }
            List<String> more = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                more.add(ed25519Line(ed, "more-" + i));
            }
            String purged = PublicKeyParser.withDefaults().parseLine(own.get(7)).fingerprint();
            server.krl = krl(2, 1200);
            Map<String, AgentState.AccountState> accounts = new TreeMap<>(); // the agent plans them in this order
            accounts.put(USER, new AgentState.AccountState(desired(many),
                    List.of(new AgentState.PurgeEntry(purged, "revoked", true))));
            accounts.put(SMALL_NEW, new AgentState.AccountState(desired(List.of(ed25519Line(ed, "small"))), List.of()));
            accounts.put(LARGE_NEW, new AgentState.AccountState(desired(more), List.of()));
            server.state = Json.write(state(2, accounts, List.of(userCa1, userCa2)));
            String cert2 = hostCert(before, hostCa, "-1m:+1d", 200);
            server.hostCerts = req -> json(Map.of("host_certs", List.of(cert2)));

            // what a cycle with room makes of it
            Path control = copyTree(before, tmp.resolve("control"));
            Cmd.Result withRoom = agent(control, server, 0);
            assertEquals(0, withRoom.exitCode(), withRoom.stdout() + withRoom.stderr());
            Map<String, byte[]> fresh = contents(control);
            for (String f : MANAGED) {
                assertFalse(Arrays.equals(old.get(f), fresh.get(f)), f + " changes in this cycle");
            }
            assertArrayEquals(server.krl, fresh.get("etc/ssh/keyward/revoked_keys"));
            assertEquals(cert2 + "\n", new String(fresh.get("etc/ssh/ssh_host_ed25519_key-cert.pub"),
                    StandardCharsets.UTF_8));
            String keyward = new String(fresh.get(MANAGED.get(0)), StandardCharsets.UTF_8);
            for (String k : many) {
                assertTrue(keyward.contains(k.split(" ")[1]), "the keyward file holds every desired key");
            }
            assertFalse(new String(fresh.get(MANAGED.get(1)), StandardCharsets.UTF_8)
                    .contains(own.get(7).split(" ")[1]), "purged");
            assertNoTempFiles(control);

            // under limits from below every file to between each of them
            for (long limit : new long[] {4 << 10, 16 << 10, 32 << 10, 64 << 10}) {
                Path root = copyTree(before, tmp.resolve("limit-" + limit));
                Cmd.Result full = agent(root, server, limit);
                Map<String, byte[]> now = contents(root);
                List<String> tooLarge = new ArrayList<>();
                for (String f : MANAGED) {
                    byte[] b = now.get(f);
                    assertTrue(Arrays.equals(b, old.get(f)) || Arrays.equals(b, fresh.get(f)),
                            "limit " + limit + ": " + f + " is neither its old nor its new content ("
                                    + (b == null ? "missing" : b.length + " bytes") + ")\n" + full.stderr());
                    if (fresh.get(f).length > limit) {
                        tooLarge.add(f);
                        assertArrayEquals(old.get(f), b, "limit " + limit + ": " + f + " could not be written");
                    }
                }
                assertFalse(tooLarge.isEmpty());
                if (tooLarge.contains(MANAGED.get(6))) { // the plan failed: nothing it staged went in
                    assertArrayEquals(old.get(MANAGED.get(5)), now.get(MANAGED.get(5)), "limit " + limit);
                }
                assertEquals(1, full.exitCode(), "limit " + limit + ": the cycle failed\n" + full.stdout()
                        + full.stderr());
                // says why, naming the file, and reports no change that did not happen
                List<String> why = full.stderr().lines().filter(l -> l.contains("File too large")).toList();
                assertFalse(why.isEmpty(), "limit " + limit + ": says why\n" + full.stderr());
                for (String l : why) {
                    assertTrue(l.startsWith("failed: ") && MANAGED.stream().anyMatch(f -> l.contains(root.resolve(f)
                            .toString())), "limit " + limit + ": names the file: " + l);
                }
                for (String f : MANAGED) {
                    if (Arrays.equals(old.get(f), now.get(f))) {
                        assertFalse(full.stdout().contains("updated /" + f) || full.stdout().contains("created /" + f),
                                "limit " + limit + ": " + f + " did not change\n" + full.stdout());
                    }
                }
                assertFalse(full.stderr().contains("Exception"), full.stderr());
                Json.parseObject(Files.readAllBytes(root.resolve("var/lib/keyward-agent/status.json"))); // whole
                assertNoTempFiles(root);

                Cmd.Result next = agent(root, server, 0);
                assertEquals(0, next.exitCode(), "limit " + limit + ": the next cycle with room\n" + next.stdout()
                        + next.stderr());
                Map<String, byte[]> after = contents(root);
                for (String f : MANAGED) {
                    assertArrayEquals(fresh.get(f), after.get(f), "limit " + limit + ": " + f + " after the next one");
                }
                assertNoTempFiles(root);
            }
        }
    }

    /** {@code once} against the stub from the packaged jar in its own JVM, under a file-size limit if not 0. */
    private Cmd.Result agent(Path root, StubServer server, long fileSizeLimit) {
        List<String> cmd = new ArrayList<>();
        if (fileSizeLimit > 0) {
            cmd.addAll(List.of("prlimit", "--fsize=" + fileSizeLimit));
        }
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC",
                "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-jar", JAR.toAbsolutePath().toString(),
                "once", "--root", root.toString(), "--server", server.url(), "--log-source", "none",
                "--set", "sshd=/bin/true", "--set", "reload_command=true"));
        return Cmd.run(cmd, tmp, Map.of(), null);
    }

    private static AgentState state(long krlVersion, Map<String, AgentState.AccountState> accounts,
            List<String> userCas) {
        return new AgentState("h-1", "managed", accounts, new AgentState.Trust(userCas, krlVersion),
                new AgentState.KrlRef(krlVersion, "/api/v1/krl", null), null);
    }

    private static List<AgentState.DesiredKey> desired(List<String> lines) {
        List<AgentState.DesiredKey> desired = new ArrayList<>();
        for (String k : lines) {
            desired.add(new AgentState.DesiredKey("k" + desired.size(), k, null, null, null, null));
        }
        return desired;
    }

    /** A KRL made by ssh-keygen revoking {@code hashes} random SHA-256 key hashes (32 bytes each). */
    private byte[] krl(long version, int hashes) throws IOException {
        StringBuilder spec = new StringBuilder();
        SecureRandom r = new SecureRandom();
        for (int i = 0; i < hashes; i++) {
            byte[] h = new byte[32];
            r.nextBytes(h);
            spec.append("hash: SHA256:").append(Base64.getEncoder().withoutPadding().encodeToString(h)).append('\n');
        }
        Path specFile = Files.writeString(tmp.resolve("krl-spec-" + version), spec.toString());
        Path out = tmp.resolve("krl-" + version);
        Cmd.run(List.of("ssh-keygen", "-q", "-k", "-z", Long.toString(version), "-f", out.toString(),
                specFile.toString())).orThrow();
        return Files.readAllBytes(out);
    }

    /** ssh-keygen's host certificate for the tree's host key with {@code principals} long names. */
    private String hostCert(Path root, Path ca, String validity, int principals) throws IOException {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < principals; i++) {
            names.add("host-" + i + "-" + HexFormat.of().formatHex(new byte[12]) + ".example.com");
        }
        Path pub = Files.copy(root.resolve("etc/ssh/ssh_host_ed25519_key.pub"), tmp.resolve("host-" + principals
                + ".pub"));
        Cmd.run(List.of("ssh-keygen", "-q", "-s", ca.toString(), "-h", "-I", "host", "-n", String.join(",", names),
                "-V", validity, pub.toString())).orThrow();
        return Files.readString(tmp.resolve("host-" + principals + "-cert.pub")).strip();
    }

    /** An OpenSSH line for a new Ed25519 key (RFC 8709: string "ssh-ed25519", string key), made in this JVM. */
    private static String ed25519Line(KeyPairGenerator g, String comment) {
        byte[] spki = g.generateKeyPair().getPublic().getEncoded(); // SPKI ends with the 32-byte key
        byte[] blob = new SshWriter().string("ssh-ed25519").string(Arrays.copyOfRange(spki, spki.length - 32,
                spki.length)).toByteArray();
        return "ssh-ed25519 " + Base64.getEncoder().encodeToString(blob) + " " + comment;
    }

    private static byte[] json(Object o) {
        return Json.write(o);
    }

    private static Map<String, byte[]> contents(Path root) throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (String f : MANAGED) {
            Path p = root.resolve(f);
            m.put(f, Files.exists(p, LinkOption.NOFOLLOW_LINKS) ? Files.readAllBytes(p) : null);
        }
        return m;
    }

    private static void assertNoTempFiles(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            List<String> temps = s.map(p -> root.relativize(p).toString()).filter(n -> n.endsWith(".tmp")).toList();
            assertEquals(List.of(), temps, "temp files left behind");
        }
    }

    /** Copies a tree with modes and owners (the agent's view of it must not change). */
    private static Path copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
            }
        }
        return to;
    }
}
