package dev.keyward.agent.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.agent.protocol.UsageEvent;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.Sshd;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Log lines written by a real sshd for real logins: a plain key, a certificate, a revoked key, an expired
 * certificate, a certificate for another principal. The same lines are then re-wrapped in both syslog prefix
 * forms (as rsyslog and journald-to-syslog write them) and must give the same events.
 */
class SshdLogFromRealSshdTest {
    @TempDir
    static Path dir;
    static List<String> lines;
    static String user = Sshd.currentUser();
    static String plainFp;
    static String certFp;
    static String caFp;
    static String revokedFp;
    static String expiredFp;

    @BeforeAll
    static void produceLogWithRealLogins() throws Exception {
        Path ca = Cmd.sshKeygen(dir, "ca", "ed25519", 0);
        Path plain = Cmd.sshKeygen(dir, "plain", "ed25519", 0);
        Path certKey = Cmd.sshKeygen(dir, "certkey", "ecdsa", 256);
        Path revoked = Cmd.sshKeygen(dir, "revoked", "ed25519", 0);
        Path expired = Cmd.sshKeygen(dir, "expired", "ed25519", 0);
        Path other = Cmd.sshKeygen(dir, "other", "ed25519", 0);
        Cmd.run(List.of("ssh-keygen", "-q", "-s", ca.toString(), "-I", "alice@example", "-n", user, "-z", "4242",
                "-V", "-5m:+1h", certKey + ".pub")).orThrow();
        Cmd.run(List.of("ssh-keygen", "-q", "-s", ca.toString(), "-I", "old-cert", "-n", user, "-z", "7",
                "-V", "-20m:-10m", expired + ".pub")).orThrow();
        Cmd.run(List.of("ssh-keygen", "-q", "-s", ca.toString(), "-I", "bobs", "-n", "bob-not-here", "-z", "8",
                other + ".pub")).orThrow();
        Path ak = dir.resolve("authorized_keys");
        Files.writeString(ak, Files.readString(Path.of(plain + ".pub")) + Files.readString(Path.of(revoked + ".pub")));
        Path krl = dir.resolve("krl");
        Cmd.run(List.of("ssh-keygen", "-q", "-k", "-f", krl.toString(), revoked + ".pub")).orThrow();
        plainFp = fp(plain);
        certFp = fp(certKey);
        revokedFp = fp(revoked);
        expiredFp = fp(expired);
        caFp = fp(ca);
        try (Sshd sshd = Sshd.start(dir.resolve("sshd"), null, List.of("AuthorizedKeysFile " + ak,
                "TrustedUserCAKeys " + ca + ".pub", "RevokedKeys " + krl))) {
            assertEquals(0, sshd.login(user, plain, null, null).exitCode(), sshd.log());
            assertEquals(0, sshd.login(user, certKey, Path.of(certKey + "-cert.pub"), null).exitCode(), sshd.log());
            assertTrue(sshd.login(user, revoked, null, null).exitCode() != 0);
            assertTrue(sshd.login(user, expired, Path.of(expired + "-cert.pub"), null).exitCode() != 0);
            assertTrue(sshd.login(user, other, Path.of(other + "-cert.pub"), null).exitCode() != 0);
            waitFor(sshd, "Certificate invalid: name is not a listed principal");
            lines = Files.readAllLines(sshd.logFile(), StandardCharsets.ISO_8859_1);
        }
    }

    static String fp(Path key) {
        return Cmd.run(List.of("ssh-keygen", "-l", "-f", key + ".pub")).orThrow().stdout().split(" ")[1];
    }

    static void waitFor(Sshd sshd, String text) throws Exception {
        for (int i = 0; i < 250 && !sshd.log().contains(text); i++) {
            Thread.sleep(20);
        }
        // the matching Failed publickey line follows the failure line
        Thread.sleep(200);
        assertTrue(sshd.log().contains(text), sshd.log());
    }

    List<UsageEvent> readAll(List<String> logLines) throws Exception {
        Path log = Files.createTempFile(dir, "auth", ".log");
        Files.write(log, logLines, StandardCharsets.ISO_8859_1);
        FileFollower f = new FileFollower(log, new SshdMessage(ZoneId.of("UTC"), 1_800_000_000L));
        return f.read(null).events();
    }

    void assertEvents(List<UsageEvent> ev) {
        List<UsageEvent> accepted = ev.stream().filter(e -> e.kind().equals("accepted")).toList();
        assertEquals(2, accepted.size(), ev.toString());
        UsageEvent a = accepted.get(0);
        assertEquals(user, a.account());
        assertEquals(plainFp, a.fingerprint());
        assertEquals("ED25519", a.keyType());
        assertEquals("127.0.0.1", a.sourceIp());
        assertNull(a.certSerial());
        UsageEvent c = accepted.get(1);
        assertEquals(certFp, c.fingerprint());
        assertEquals("ECDSA-CERT", c.keyType());
        assertEquals("4242", c.certSerial());
        assertEquals("alice@example", c.keyId());
        assertEquals(caFp, c.caFingerprint());

        List<UsageEvent> revoked = ev.stream().filter(e -> e.kind().equals("revoked")).toList();
        assertEquals(1, revoked.size(), ev.toString());
        assertEquals(revokedFp, revoked.get(0).fingerprint());
        assertEquals(user, revoked.get(0).account());
        assertTrue(revoked.get(0).detail().endsWith("/krl"), revoked.get(0).detail());

        List<UsageEvent> invalid = ev.stream().filter(e -> e.kind().equals("cert_invalid")).toList();
        assertEquals(2, invalid.size(), ev.toString());
        assertEquals("expired", invalid.get(0).detail());
        assertEquals(expiredFp, invalid.get(0).fingerprint());
        assertEquals("7", invalid.get(0).certSerial());
        assertEquals(user, invalid.get(0).account());
        assertEquals("name is not a listed principal", invalid.get(1).detail());
        assertEquals("8", invalid.get(1).certSerial());
        assertEquals(ev.size(), ev.stream().map(UsageEvent::id).distinct().count(), "ids are unique");
    }

    @Test
    void parsesSshdEOutputOfRealLogins() throws Exception {
        assertEvents(readAll(lines));
    }

    @Test
    void parsesClassicSyslogPrefixWithSshd() throws Exception {
        List<String> wrapped = new ArrayList<>();
        for (String l : lines) {
            wrapped.add("Nov  3 09:05:07 web-1 sshd[4711]: " + l.replace("\r", ""));
            wrapped.add("Nov  3 09:05:07 web-1 CRON[99]: pam_unix(cron:session): session opened for user root");
        }
        List<UsageEvent> ev = readAll(wrapped);
        assertEvents(ev);
        assertEquals("2026-11-03T09:05:07Z", ev.get(0).time());
    }

    @Test
    void parsesRfc3339PrefixWithSshdSession() throws Exception {
        List<String> wrapped = new ArrayList<>();
        for (String l : lines) {
            wrapped.add("2026-11-29T12:34:56.123456+01:00 web-1 sshd-session[812]: " + l.replace("\r", ""));
        }
        List<UsageEvent> ev = readAll(wrapped);
        assertEvents(ev);
        assertEquals("2026-11-29T11:34:56Z", ev.get(0).time());
    }

    @Test
    void ignoresOtherProgramsSayingTheSameWords() throws Exception {
        List<String> forged = new ArrayList<>();
        for (String l : lines) {
            forged.add("Nov  3 09:05:07 web-1 logger[1]: " + l.replace("\r", ""));
        }
        assertEquals(List.of(), readAll(forged));
    }
}
