package dev.keyward.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.cli.testing.Cli;
import dev.keyward.cli.testing.FakeServer;
import dev.keyward.cli.testing.TestCa;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keyward ssh-config} against a stand-in server: what it prints, what {@code --install} writes (and that a
 * second run changes nothing), the engineer's own ~/.ssh/config kept byte for byte behind one added line and backed
 * up, host CA pins (several keys during a rotation; an unpinned key refused, nothing written), bad input.
 */
class SshConfigCommandTest {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-04T10:11:12Z"), ZoneOffset.UTC);

    @TempDir
    Path tmp;
    Path home;
    TestCa userCa;
    TestCa hostCa;
    FakeServer server;

    @BeforeEach
    void setUp() throws IOException {
        home = Files.createDirectories(tmp.resolve("home"));
        userCa = new TestCa(tmp, "user_ca");
        hostCa = new TestCa(tmp, "host_ca");
        server = new FakeServer(userCa.publicKey().toOpenSsh() + "\n", body -> new FakeServer.Answer(500, "text/plain",
                "not used"));
        publishHostCas(hostCa);
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    void publishHostCas(TestCa... cas) {
        StringBuilder b = new StringBuilder();
        for (TestCa ca : cas) {
            b.append("@cert-authority * ").append(ca.publicKey().toOpenSsh()).append('\n');
        }
        server.caHostBody = b.toString();
    }

    Cli.Run keyward(String... args) {
        return Cli.run(home, Map.of(), CLOCK, args);
    }

    Cli.Run install(String... extra) {
        return keyward(Stream.concat(Stream.of("ssh-config", "--install", "--server", server.url(), "--hosts",
                "*.example.com,10.1.*"), Stream.of(extra)).toArray(String[]::new));
    }

    Path ssh(String name) {
        return home.resolve(".ssh").resolve(name);
    }

    String knownHostsLine(TestCa ca) {
        return "@cert-authority *.example.com,[*.example.com]:*,10.1.*,[10.1.*]:* "
                + ca.publicKey().toOpenSshWithoutComment();
    }

    @Test
    void printsTheFilesAndWritesNothing() {
        Cli.Run r = keyward("ssh-config", "--server", server.url(), "--hosts", "*.example.com, 10.1.*");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("\n" + knownHostsLine(hostCa) + "\n"), r.out());
        assertTrue(r.out().contains("\nHost *.example.com 10.1.*\n"
                + "    UserKnownHostsFile ~/.ssh/keyward/known_hosts\n"
                + "    StrictHostKeyChecking yes\n"
                + "    IdentityFile ~/.ssh/keyward_ed25519\n"
                + "    CertificateFile ~/.ssh/keyward_ed25519-cert.pub\n"), r.out());
        assertTrue(r.out().contains("\nInclude ~/.ssh/keyward/config\n"), r.out());
        assertTrue(r.out().contains("host CA keys not pinned yet (--install pins them): "
                + hostCa.publicKey().fingerprint()), r.out());
        assertFalse(Files.exists(home.resolve(".ssh")), "printing wrote ~/.ssh");
        assertFalse(Files.exists(home.resolve(".config")), "printing pinned the host CA");
    }

    @Test
    void installWritesTheFilesAndASecondRunChangesNothing() throws IOException {
        Files.createDirectories(ssh(""));
        // the engineer's own file: no final newline, a tab, a non-ASCII byte, a Host * that sets options for all
        byte[] mine = ("# mine\nHost *\n\tServerAliveInterval 30\n\tUserKnownHostsFile ~/.ssh/other\n"
                + "Host gitlab\u00e9\n  User git").getBytes(StandardCharsets.UTF_8);
        Files.write(ssh("config"), mine);
        Files.setPosixFilePermissions(ssh("config"), PosixFilePermissions.fromString("rw-r-----"));
        Files.writeString(Files.createDirectories(home.resolve(".config/keyward")).resolve("config"),
                "server = " + server.url() + "\n");

        Cli.Run r = install();
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("Pinned the host CA keys of " + server.url()), r.out());
        assertEquals("# Keyward host CA keys of http://localhost:" + server.port() + ", pinned in"
                + " ~/.config/keyward/host_ca_pins.\n# Written by keyward ssh-config --install, which replaces this"
                + " file.\n" + knownHostsLine(hostCa) + "\n", Files.readString(ssh("keyward/known_hosts")));
        assertTrue(Files.readString(ssh("keyward/config")).contains("\nHost *.example.com 10.1.*\n"));
        assertEquals("rw-r--r--", mode(ssh("keyward/known_hosts")));
        assertEquals("rw-r--r--", mode(ssh("keyward/config")));
        assertEquals("rwx------", mode(ssh("keyward")));

        byte[] now = Files.readAllBytes(ssh("config"));
        byte[] line = "Include ~/.ssh/keyward/config\n".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(line, java.util.Arrays.copyOf(now, line.length));
        assertArrayEquals(mine, java.util.Arrays.copyOfRange(now, line.length, now.length), "the rest, byte for byte");
        assertEquals("rw-r-----", mode(ssh("config")), "its mode is kept");
        Path backup = ssh("config.keyward-backup-20261204T101112Z");
        assertArrayEquals(mine, Files.readAllBytes(backup));
        assertEquals("rw-r-----", mode(backup));
        assertTrue(r.out().contains(ssh("config") + ": added 'Include ~/.ssh/keyward/config' as its first line"),
                r.out());
        assertTrue(Files.readString(home.resolve(".config/keyward/host_ca_pins")).contains("http://localhost:"
                + server.port() + " " + hostCa.publicKey().toOpenSshWithoutComment()));

        Map<String, String> before = snapshot();
        Cli.Run again = Cli.run(home, Map.of(), Clock.offset(CLOCK, java.time.Duration.ofHours(1)), "ssh-config",
                "--install", "--hosts", "*.example.com,10.1.*");
        assertEquals(0, again.code(), again.toString());
        assertFalse(again.out().contains("Pinned"), again.out());
        assertEquals(3, again.out().lines().filter(l -> l.contains("unchanged")).count(), again.out());
        assertEquals(before, snapshot(), "a second run changed a file, a mode or a timestamp, or made a backup");
    }

    @Test
    void aNewUserConfigGetsOnlyTheIncludeLine() throws IOException {
        Cli.Run r = install();
        assertEquals(0, r.code(), r.toString());
        assertEquals("Include ~/.ssh/keyward/config\n", Files.readString(ssh("config")));
        assertEquals("rw-------", mode(ssh("config")));
        assertEquals("rwx------", mode(ssh("")));
        try (Stream<Path> s = Files.list(ssh(""))) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().contains("backup")), "nothing to back up");
        }
    }

    @Test
    void anIncludeTheEngineerMovedIsLeftWhereItIs() throws IOException {
        Files.createDirectories(ssh(""));
        String mine = "Host old\n  User x\n\nInclude \"keyward/config\"\n";
        Files.writeString(ssh("config"), mine);
        Cli.Run r = install();
        assertEquals(0, r.code(), r.toString());
        assertEquals(mine, Files.readString(ssh("config")));
        assertTrue(r.out().contains("already includes"), r.out());
    }

    @Test
    void aSymlinkedConfigIsEditedWhereItPointsAndStaysALink() throws IOException {
        Path dotfiles = Files.createDirectories(home.resolve("dotfiles"));
        Files.writeString(dotfiles.resolve("ssh_config"), "Host *\n  ForwardAgent no\n");
        Files.createDirectories(ssh(""));
        Files.createSymbolicLink(ssh("config"), Path.of("../dotfiles/ssh_config"));
        Cli.Run r = install();
        assertEquals(0, r.code(), r.toString());
        assertTrue(Files.isSymbolicLink(ssh("config")));
        assertEquals("Include ~/.ssh/keyward/config\nHost *\n  ForwardAgent no\n",
                Files.readString(dotfiles.resolve("ssh_config")));
    }

    @Test
    void severalHostCaKeysDuringARotationAllGoIn() throws IOException {
        TestCa next = new TestCa(tmp, "host_ca_next");
        publishHostCas(hostCa, next);
        Cli.Run r = install();
        assertEquals(0, r.code(), r.toString());
        String known = Files.readString(ssh("keyward/known_hosts"));
        assertTrue(known.contains(knownHostsLine(hostCa) + "\n" + knownHostsLine(next) + "\n"), known);
        assertEquals(2, Files.readString(home.resolve(".config/keyward/host_ca_pins")).lines()
                .filter(l -> !l.startsWith("#")).count());
    }

    @Test
    void anUnpinnedHostCaIsRefusedAndNothingChangesUntilAccepted() throws IOException {
        assertEquals(0, install().code());
        Map<String, String> before = snapshot();
        String pins = Files.readString(home.resolve(".config/keyward/host_ca_pins"));

        TestCa other = new TestCa(tmp, "other_host_ca");
        publishHostCas(hostCa, other);
        Cli.Run r = install();
        assertEquals(1, r.code(), r.toString());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("keyward: the server publishes host CA key " + other.publicKey().fingerprint()
                + ", which is not pinned for http://localhost:" + server.port() + " (pinned: "
                + hostCa.publicKey().fingerprint() + "); nothing was written."), r.err());
        assertTrue(r.err().contains("keyward ssh-config --install --accept-new-ca"), r.err());
        assertEquals(before, snapshot());
        assertEquals(pins, Files.readString(home.resolve(".config/keyward/host_ca_pins")));
        publishHostCas(other); // only a key never pinned: the same
        assertEquals(1, install().code());
        Cli.Run printed = keyward("ssh-config", "--server", server.url(), "--hosts", "*.example.com");
        assertEquals(1, printed.code(), "printing refuses it too: " + printed);
        assertEquals(before, snapshot());

        publishHostCas(hostCa, other);
        Cli.Run accepted = install("--accept-new-ca");
        assertEquals(0, accepted.code(), accepted.toString());
        String known = Files.readString(ssh("keyward/known_hosts"));
        assertTrue(known.contains(knownHostsLine(hostCa)) && known.contains(knownHostsLine(other)), known);
        assertTrue(accepted.out().contains("previous version in " + ssh("keyward/known_hosts.keyward-backup-")),
                accepted.out());
    }

    @Test
    void badInputsExitNonZeroWithOneLine() throws IOException {
        assertOneLine(keyward("ssh-config", "--server", server.url()), 1, "no hosts: pass --hosts '*.example.com'");
        assertOneLine(keyward("ssh-config", "--hosts", "*.example.com"), 1, "no server: pass --server");
        assertOneLine(keyward("ssh-config", "--server", server.url(), "--hosts", "a.example.com;ProxyCommand=x"), 1,
                "--hosts: 'a.example.com;ProxyCommand=x' is not a host pattern");
        assertOneLine(keyward("ssh-config", "--server", server.url(), "--hosts", "!bastion"), 1,
                "--hosts names no hosts");
        assertOneLine(keyward("ssh-config", "--server", "http://ca.example.com", "--hosts", "*"), 1,
                "plain http to a remote host");
        assertOneLine(keyward("ssh-config", "--bogus"), 2, "Unknown option: '--bogus'");
        server.caHostBody = "@cert-authority * ssh-ed25519 AAAA-not-base64\n";
        assertOneLine(install(), 1, "the server's host CA key list is not valid");
        server.caHostBody = null;
        assertOneLine(install(), 1, "fetching the host CA keys");
        server.caHostBody = "# no keys\n";
        assertOneLine(install(), 1, "the server publishes no host CA key");
        Files.createDirectories(home.resolve(".config/keyward"));
        Files.writeString(home.resolve(".config/keyward/config"), "hosts = ok.example.com bad\"quote\n");
        assertOneLine(keyward("ssh-config", "--server", server.url()), 1,
                "'hosts' in the config: 'bad\"quote' is not a host pattern");
        assertFalse(Files.exists(home.resolve(".ssh")), "a refusal wrote ~/.ssh");
    }

    @Test
    void hostsComeFromTheConfigFile() throws IOException {
        Files.createDirectories(home.resolve(".config/keyward"));
        Files.writeString(home.resolve(".config/keyward/config"), "server = " + server.url()
                + "\nhosts = *.corp.example.com\n");
        Cli.Run r = keyward("ssh-config");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("\nHost *.corp.example.com\n"), r.out());
    }

    private static void assertOneLine(Cli.Run r, int code, String contains) {
        assertEquals(code, r.code(), r.toString());
        assertTrue(r.err().startsWith("keyward: "), r.err());
        if (code == 1) {
            assertEquals(1, r.err().lines().count(), r.err());
        }
        assertTrue(r.err().contains(contains), r.toString());
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    /** Every file under ~/.ssh and ~/.config: content, mode, inode and modification time. */
    private Map<String, String> snapshot() throws IOException {
        Map<String, String> m = new TreeMap<>();
        for (Path root : List.of(home.resolve(".ssh"), home.resolve(".config"))) {
            if (!Files.exists(root)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(root)) {
                for (Path p : s.filter(Files::isRegularFile).toList()) {
                    // a rewrite (temp file + rename) gives a new inode even when the bytes are the same
                    m.put(home.relativize(p).toString(), mode(p) + " inode " + Files.getAttribute(p, "unix:ino") + " "
                            + Files.getLastModifiedTime(p).toInstant() + " "
                            + java.util.HexFormat.of().formatHex(Files.readAllBytes(p)));
                }
            }
        }
        return m;
    }
}
