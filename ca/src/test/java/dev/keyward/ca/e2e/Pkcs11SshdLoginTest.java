package dev.keyward.ca.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.cert.Certificate;
import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.krl.KrlSpec;
import dev.keyward.ca.krl.KrlWriter;
import dev.keyward.ca.sign.CaAlgorithm;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.Signers;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.SoftHsm;
import dev.keyward.ca.testing.Sshd;
import dev.keyward.ca.testing.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CA keys generated inside a SoftHSM2 token (through SunPKCS11, addressed by RFC 7512 URIs) sign user
 * certificates that a real sshd accepts, and a KRL naming them makes sshd refuse them.
 */
class Pkcs11SshdLoginTest {
    @TempDir
    static Path tmp;

    static SoftHsm.Token token;
    static final Map<CaAlgorithm, CaSigner> CAS = new LinkedHashMap<>();
    static Sshd sshd;
    static Path revoked;
    static final String USER = Sshd.currentUser();

    @BeforeAll
    static void start() throws Exception {
        token = SoftHsm.newToken();
        for (CaAlgorithm a : List.of(CaAlgorithm.ECDSA_P256, CaAlgorithm.ECDSA_P384, CaAlgorithm.RSA_3072)) {
            // through the public entry point, exactly as keyward-ca init does
            CAS.put(a, Signers.create(token.uri("user-ca-" + a.label()).toString(), a, SecretSource.of(Map.of())));
        }
        Path trusted = tmp.resolve("trusted_user_ca_keys");
        Files.write(trusted, CAS.values().stream().map(s -> s.publicKey().toOpenSsh()).toList());
        revoked = tmp.resolve("revoked_keys");
        Files.write(revoked, dev.keyward.ca.krl.Krl.empty(1).encoded());
        sshd = Sshd.start(tmp.resolve("sshd"), null, List.of("TrustedUserCAKeys " + trusted, "RevokedKeys " + revoked));
    }

    @AfterAll
    static void stop() {
        if (sshd != null) {
            sshd.close();
        }
    }

    @Test
    void sshdAcceptsCertsFromTokenKeysAndRefusesThemOnceRevoked() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        Map<CaAlgorithm, Path[]> logins = new LinkedHashMap<>();
        long serial = 500;
        for (var e : CAS.entrySet()) {
            Path dir = Files.createTempDirectory(tmp, e.getKey().label());
            Path key = Cmd.sshKeygen(dir, "id", "ed25519", 0);
            SshPublicKey pub = TestKeys.read(Path.of(key + ".pub"));
            Certificate cert = Certificate.builder().key(pub).serial(++serial).type(CertType.USER)
                    .keyId("hsm-" + e.getKey().label()).principal(USER).validity(now - 60, now + 600)
                    .defaultUserExtensions().build();
            Path certFile = Path.of(key + "-cert.pub");
            Files.writeString(certFile, CertificateCodec.sign(cert, e.getValue()).toOpenSsh() + "\n");
            Cmd.Result r = sshd.login(USER, key, certFile, null);
            assertEquals(0, r.exitCode(), "cert from token " + e.getKey() + " key: " + r.stderr() + sshd.log());
            logins.put(e.getKey(), new Path[] {key, certFile});
        }
        String signatureLog = sshd.log();
        assertTrue(signatureLog.contains("CA RSA " + CAS.get(CaAlgorithm.RSA_3072).publicKey().fingerprint()), signatureLog);

        KrlSpec.Builder spec = KrlSpec.builder().version(2);
        for (CaSigner ca : CAS.values()) {
            spec.ca(ca.publicKey()).revokeSerialRange(501, 503);
        }
        Path next = tmp.resolve("revoked_keys.new");
        Files.write(next, KrlWriter.write(spec.build()));
        Files.move(next, revoked, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        for (var e : logins.entrySet()) {
            Cmd.Result r = sshd.login(USER, e.getValue()[0], e.getValue()[1], null);
            assertNotEquals(0, r.exitCode(), "revoked cert from " + e.getKey() + " was accepted");
        }
        assertTrue(sshd.log().contains("revoked by file " + revoked), sshd.log());
    }
}
