package dev.keyward.ca.krl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.cert.Certificate;
import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.sign.CaAlgorithm;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.Signers;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.OpenSshTool;
import dev.keyward.ca.testing.Sshd;
import dev.keyward.ca.testing.TestKeys;
import dev.keyward.ca.wire.SshWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KRLs that ssh-keygen writes and sshd loads although a certificates section names a CA key no certificate can have
 * (an Ed25519 key off the curve, a certificate): Keyward reads and installs them too, and they answer like
 * {@code ssh-keygen -Q} and a real sshd login.
 */
class KrlUnmatchableCaSectionsTest {
    @TempDir
    Path dir;

    /** An ssh-ed25519 public-key line whose 32 bytes are not a point on the curve (OpenSSH checks only the length). */
    static String offCurveEd25519Line() {
        Random rnd = new Random(7);
        byte[] pk = new byte[32];
        do {
            rnd.nextBytes(pk);
        } while (Ed25519.validatePublicKeyPartial(pk, 0));
        byte[] blob = new SshWriter().string("ssh-ed25519").string(pk).toByteArray();
        return "ssh-ed25519 " + Base64.getEncoder().encodeToString(blob);
    }

    @Test
    void readsInstallsAndAnswersLikeOpenSsh() throws Exception {
        CaSigner ca = Signers.create("file:" + dir.resolve("ca"), CaAlgorithm.ED25519, SecretSource.of(Map.of()));
        Path caPub = Files.writeString(dir.resolve("ca.pub"), ca.publicKey().toOpenSsh() + "\n");
        Path offCurve = Files.writeString(dir.resolve("offcurve.pub"), offCurveEd25519Line() + "\n");
        // a certificate as a "CA key": ssh-keygen -k -s takes any public key file, certificates included
        Path otherCa = Cmd.sshKeygen(dir, "other-ca", "ecdsa", 256);
        Path certAsCa = Path.of(Cmd.sshKeygen(dir, "certified", "ed25519", 0) + ".pub");
        Cmd.run(List.of("ssh-keygen", "-q", "-s", otherCa.toString(), "-I", "c", "-n", "p", certAsCa.toString()))
                .orThrow();
        Path certAsCaFile = dir.resolve("certified-cert.pub");

        Path krlFile = dir.resolve("k.krl");
        OpenSshTool.generateKrl(krlFile, "serial: 5\nid: gone\n", "-s", offCurve.toString(), "-z", "1");
        OpenSshTool.generateKrl(krlFile, "serial: 6-9\nid: gone\n", "-u", "-s", certAsCaFile.toString());
        OpenSshTool.generateKrl(krlFile, "serial: 7\n", "-u", "-s", caPub.toString());
        byte[] bytes = Files.readAllBytes(krlFile);
        String listing = OpenSshTool.list(krlFile);
        assertEquals(3, listing.lines().filter(l -> l.startsWith("# CA key ")).count(), listing);

        Krl krl = Krl.parseForInstall(bytes);

        // our CA's certificates: only serial 7 is revoked; the other sections match nothing
        Path userKey = Cmd.sshKeygen(dir, "user", "ed25519", 0);
        List<Path> files = new ArrayList<>();
        List<Boolean> ours = new ArrayList<>();
        for (long serial : new long[] {5, 6, 7, 8}) {
            SignedCertificate c = issue(ca, userKey, serial, "gone");
            files.add(Files.writeString(dir.resolve("c" + serial + "-cert.pub"), c.toOpenSsh() + "\n"));
            ours.add(krl.isRevoked(c));
        }
        List<Boolean> openssh = new ArrayList<>(OpenSshTool.queryRevoked(krlFile, files).values());
        assertEquals(openssh, ours);
        assertEquals(List.of(false, false, true, false), ours);

        // sshd loads it (one it could not load would refuse every public-key login) and applies it
        try (Sshd sshd = Sshd.start(dir.resolve("sshd"), null, List.of("TrustedUserCAKeys " + caPub,
                "RevokedKeys " + krlFile))) {
            assertEquals(0, sshd.login(Sshd.currentUser(), userKey, files.get(3), null).exitCode(), sshd.log());
            assertNotEquals(0, sshd.login(Sshd.currentUser(), userKey, files.get(2), null).exitCode(), sshd.log());
        }
    }

    static SignedCertificate issue(CaSigner ca, Path key, long serial, String keyId) throws Exception {
        long now = System.currentTimeMillis() / 1000;
        Certificate cert = Certificate.builder().key(TestKeys.read(Path.of(key + ".pub"))).serial(serial)
                .type(CertType.USER).keyId(keyId).principal(Sshd.currentUser()).validity(now - 60, now + 600)
                .defaultUserExtensions().build();
        return CertificateCodec.sign(cert, ca);
    }
}
