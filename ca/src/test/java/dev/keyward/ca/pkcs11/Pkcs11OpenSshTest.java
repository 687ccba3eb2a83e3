package dev.keyward.ca.pkcs11;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.sign.CaAlgorithm;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.testing.SoftHsm;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Keys Keyward generates in a token are usable by OpenSSH's own PKCS#11 support ({@code ssh-keygen -s -D}):
 * the key is found through its placeholder certificate, and the certificate it signs verifies against the
 * public key Keyward reports.
 */
class Pkcs11OpenSshTest {
    private static SoftHsm.Token token;

    @TempDir
    Path dir;

    @BeforeAll
    static void token() {
        token = SoftHsm.newToken();
    }

    @ParameterizedTest
    @EnumSource(value = CaAlgorithm.class, names = {"ECDSA_P256", "RSA_3072"})
    void sshKeygenSignsWithTheTokenKey(CaAlgorithm algorithm) throws Exception {
        CaSigner ca = Pkcs11Keys.generate(token.uri("openssh-" + algorithm.label()), algorithm, SecretSource.of(Map.of()));
        Path caPub = Files.writeString(dir.resolve("ca.pub"), ca.publicKey().toOpenSsh() + "\n");
        Path user = dir.resolve("user");
        run(Map.of(), "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "user", "-f", user.toString());

        // ssh-keygen asks for the PIN through SSH_ASKPASS when stdin is not a terminal: a script that prints
        // the PIN file keeps the PIN off every command line.
        Path askpass = dir.resolve("askpass");
        Files.writeString(askpass, "#!/bin/sh\nexec cat '" + token.pinFile() + "'\n");
        Files.setPosixFilePermissions(askpass, PosixFilePermissions.fromString("rwx------"));
        run(Map.of("SSH_ASKPASS", askpass.toString(), "SSH_ASKPASS_REQUIRE", "force", "DISPLAY", ":0"),
                "ssh-keygen", "-s", caPub.toString(), "-D", token.modulePath().toString(), "-I", "kw-interop",
                "-n", "alice", "-V", "+5m", user + ".pub");

        String line = Files.readString(dir.resolve("user-cert.pub"), StandardCharsets.US_ASCII).strip();
        SignedCertificate cert = CertificateCodec.decodeLine(line); // verifies the CA signature
        assertArrayEquals(ca.publicKey().blob(), cert.caKey().blob());
        assertEquals("kw-interop", cert.certificate().keyId());
        assertEquals(List.of("alice"), cert.certificate().principals());
    }

    private static void run(Map<String, String> env, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " failed:\n" + out);
        }
    }
}
