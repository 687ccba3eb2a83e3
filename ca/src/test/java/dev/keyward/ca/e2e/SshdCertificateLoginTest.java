package dev.keyward.ca.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.cert.Certificate;
import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.krl.Krl;
import dev.keyward.ca.krl.KrlSpec;
import dev.keyward.ca.krl.KrlWriter;
import dev.keyward.ca.sign.CaAlgorithm;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.Signers;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.Sshd;
import dev.keyward.ca.testing.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real sshd trusts our user CAs (software here; the PKCS#11 variants live in Pkcs11SshdLoginTest) and a real
 * ssh client trusts our host certificates through {@code @cert-authority}.
 */
class SshdCertificateLoginTest {
    @TempDir
    static Path tmp;

    static Sshd sshd;
    static CaSigner ed25519Ca;
    static CaSigner p256Ca;
    static CaSigner otherCa;
    static final String USER = Sshd.currentUser();

    @BeforeAll
    static void start() throws Exception {
        SecretSource none = SecretSource.of(Map.of());
        ed25519Ca = Signers.create("file:" + tmp.resolve("ca-ed"), CaAlgorithm.ED25519, none);
        p256Ca = Signers.create("file:" + tmp.resolve("ca-p256"), CaAlgorithm.ECDSA_P256, none);
        otherCa = Signers.create("file:" + tmp.resolve("ca-other"), CaAlgorithm.ECDSA_P256, none);
        Path trusted = tmp.resolve("trusted_user_ca_keys");
        Files.write(trusted, List.of(ed25519Ca.publicKey().toOpenSsh(), p256Ca.publicKey().toOpenSsh()));
        sshd = Sshd.start(tmp.resolve("sshd"), null, List.of("TrustedUserCAKeys " + trusted));
    }

    @AfterAll
    static void stop() {
        if (sshd != null) {
            sshd.close();
        }
    }

    static Path userCert(Path key, CaSigner ca, List<String> principals, long after, long before) throws Exception {
        SshPublicKey pub = TestKeys.read(Path.of(key + ".pub"));
        Certificate cert = Certificate.builder().key(pub).serial(System.nanoTime() & Long.MAX_VALUE)
                .type(CertType.USER).keyId("test-" + principals.get(0)).principals(principals).validity(after, before)
                .defaultUserExtensions().build();
        Path certFile = Path.of(key + "-cert.pub");
        Files.writeString(certFile, CertificateCodec.sign(cert, ca).toOpenSsh() + "\n");
        return certFile;
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    @Test
    void acceptsUserCertsFromEd25519AndP256Cas() throws Exception {
        for (CaSigner ca : List.of(ed25519Ca, p256Ca)) {
            for (String type : List.of("ed25519", "ecdsa-256", "rsa-3072")) {
                Path dir = Files.createTempDirectory(tmp, "ok");
                String[] t = type.split("-");
                Path key = Cmd.sshKeygen(dir, "id", t[0], t.length > 1 ? Integer.parseInt(t[1]) : 0);
                Path cert = userCert(key, ca, List.of(USER, "someone-else"), now() - 60, now() + 600);
                Cmd.Result r = sshd.login(USER, key, cert, null);
                assertEquals(0, r.exitCode(), "login with " + type + " cert from " + ca.publicKey().type() + ": "
                        + r.stderr() + "\n" + sshd.log());
            }
        }
        assertTrue(sshd.log().contains("Accepted publickey for " + USER), sshd.log());
    }

    @Test
    void refusesExpiredNotYetValidWrongPrincipalAndWrongCa() throws Exception {
        Path dir = Files.createTempDirectory(tmp, "bad");
        Path key = Cmd.sshKeygen(dir, "id", "ed25519", 0);
        List<String> failures = new ArrayList<>();
        record Case(String name, CaSigner ca, List<String> principals, long after, long before, String logText) {
        }
        for (Case c : List.of(
                new Case("expired", p256Ca, List.of(USER), now() - 7200, now() - 3600, "Certificate invalid: expired"),
                new Case("not yet valid", p256Ca, List.of(USER), now() + 3600, now() + 7200,
                        "Certificate invalid: not yet valid"),
                new Case("wrong principal", p256Ca, List.of("nobody-here"), now() - 60, now() + 600,
                        "Certificate invalid: name is not a listed principal"),
                new Case("wrong CA", otherCa, List.of(USER), now() - 60, now() + 600,
                        "CA ECDSA " + otherCa.publicKey().fingerprint()))) {
            Path cert = userCert(key, c.ca(), c.principals(), c.after(), c.before());
            Cmd.Result r = sshd.login(USER, key, cert, null);
            if (r.exitCode() == 0) {
                failures.add(c.name() + " was accepted");
            }
            waitForLog(c.logText());
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void sshClientAcceptsHostCertificateThroughCertAuthority() throws Exception {
        Path dir = Files.createTempDirectory(tmp, "host");
        CaSigner hostCa = Signers.create("file:" + dir.resolve("host-ca"), CaAlgorithm.ECDSA_P256, SecretSource.of(Map.of()));
        Path hostKey = Cmd.sshKeygen(dir, "ssh_host_ecdsa_key", "ecdsa", 256);
        SshPublicKey hostPub = TestKeys.read(Path.of(hostKey + ".pub"));
        Certificate hostCert = Certificate.builder().key(hostPub).serial(7).type(CertType.HOST).keyId("host-127.0.0.1")
                .principals(List.of("127.0.0.1", "localhost")).validity(now() - 60, now() + 3600).build();
        Path certFile = Path.of(hostKey + "-cert.pub");
        Files.writeString(certFile, CertificateCodec.sign(hostCert, hostCa).toOpenSsh() + "\n");
        Path trusted = dir.resolve("trusted");
        Files.writeString(trusted, p256Ca.publicKey().toOpenSsh() + "\n");
        try (Sshd hostSshd = Sshd.start(dir.resolve("sshd"), hostKey,
                List.of("TrustedUserCAKeys " + trusted, "HostCertificate " + certFile))) {
            Path userKey = Cmd.sshKeygen(dir, "id", "ed25519", 0);
            Path userCert = userCert(userKey, p256Ca, List.of(USER), now() - 60, now() + 600);
            Path knownHosts = dir.resolve("known_hosts");
            Files.writeString(knownHosts, "@cert-authority [127.0.0.1]:" + hostSshd.port() + " "
                    + hostCa.publicKey().toOpenSshWithoutComment() + "\n");
            Cmd.Result ok = hostSshd.login(USER, userKey, userCert, knownHosts);
            assertEquals(0, ok.exitCode(), ok.stderr() + hostSshd.log());

            // a known_hosts trusting another CA must refuse the same host
            Files.writeString(knownHosts, "@cert-authority [127.0.0.1]:" + hostSshd.port() + " "
                    + otherCa.publicKey().toOpenSshWithoutComment() + "\n");
            Cmd.Result refused = hostSshd.login(USER, userKey, userCert, knownHosts);
            assertNotEquals(0, refused.exitCode());
            assertTrue(refused.stderr().contains("Host key verification failed"), refused.stderr());
        }
    }

    @Test
    void refusesCertificatesRevokedThroughOurKrl() throws Exception {
        Path dir = Files.createTempDirectory(tmp, "krl");
        Path revoked = dir.resolve("revoked_keys");
        Files.write(revoked, Krl.empty(1).encoded());
        Path trusted = dir.resolve("trusted");
        Files.writeString(trusted, p256Ca.publicKey().toOpenSsh() + "\n");
        try (Sshd krlSshd = Sshd.start(dir.resolve("sshd"), null,
                List.of("TrustedUserCAKeys " + trusted, "RevokedKeys " + revoked))) {
            Path bySerial = Cmd.sshKeygen(dir, "by-serial", "ed25519", 0);
            Path byKeyId = Cmd.sshKeygen(dir, "by-key-id", "ecdsa", 256);
            Path byKey = Cmd.sshKeygen(dir, "by-key", "ed25519", 0);
            Path untouched = Cmd.sshKeygen(dir, "untouched", "ed25519", 0);
            Path serialCert = certWith(bySerial, 1001, "alice-laptop");
            Path keyIdCert = certWith(byKeyId, 1002, "stolen-laptop");
            Path keyCert = certWith(byKey, 1003, "bob-laptop");
            Path okCert = certWith(untouched, 1004, "carol-laptop");
            for (Path[] kc : new Path[][] {{bySerial, serialCert}, {byKeyId, keyIdCert}, {byKey, keyCert}, {untouched, okCert}}) {
                Cmd.Result r = krlSshd.login(USER, kc[0], kc[1], null);
                assertEquals(0, r.exitCode(), "before revocation " + kc[0] + ": " + r.stderr() + krlSshd.log());
            }

            KrlSpec.Builder spec = KrlSpec.builder().version(2).generatedAt(java.time.Instant.now());
            spec.ca(p256Ca.publicKey()).revokeSerialRange(1000, 1001).revokeKeyId("stolen-laptop");
            spec.revokeKey(TestKeys.read(Path.of(byKey + ".pub")));
            byte[] krl = KrlWriter.write(spec.build());
            Path next = dir.resolve("revoked_keys.new");
            Files.write(next, krl);
            Files.move(next, revoked, java.nio.file.StandardCopyOption.ATOMIC_MOVE);

            for (Path[] kc : new Path[][] {{bySerial, serialCert}, {byKeyId, keyIdCert}, {byKey, keyCert}}) {
                Cmd.Result r = krlSshd.login(USER, kc[0], kc[1], null);
                assertNotEquals(0, r.exitCode(), "revoked " + kc[0] + " was accepted");
                // ssh-keygen agrees with sshd and with our reader
                assertEquals(1, Cmd.run(List.of("ssh-keygen", "-Q", "-f", revoked.toString(), kc[1].toString())).exitCode());
                assertTrue(Krl.parse(krl).isRevoked(CertificateCodec.decodeLine(Files.readString(kc[1]))));
            }
            assertTrue(krlSshd.log().contains("revoked by file " + revoked), krlSshd.log());
            Cmd.Result ok = krlSshd.login(USER, untouched, okCert, null);
            assertEquals(0, ok.exitCode(), "unrevoked cert must still log in: " + ok.stderr());
            assertEquals(0, Cmd.run(List.of("ssh-keygen", "-Q", "-f", revoked.toString(), okCert.toString())).exitCode());
        }
    }

    private static Path certWith(Path key, long serial, String keyId) throws Exception {
        SshPublicKey pub = TestKeys.read(Path.of(key + ".pub"));
        Certificate cert = Certificate.builder().key(pub).serial(serial).type(CertType.USER).keyId(keyId)
                .principals(List.of(USER)).validity(now() - 60, now() + 600).defaultUserExtensions().build();
        Path certFile = Path.of(key + "-cert.pub");
        Files.writeString(certFile, CertificateCodec.sign(cert, p256Ca).toOpenSsh() + "\n");
        return certFile;
    }

    private static void waitForLog(String text) throws Exception {
        for (int i = 0; i < 100; i++) {
            if (sshd.log().contains(text)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("sshd log lacks '" + text + "':\n" + sshd.log());
    }
}
