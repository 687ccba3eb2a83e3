package dev.keyward.ca.bench;

import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.testing.Cmd;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ssh-keygen -s}, one process per certificate, the way a shell-script CA issues: with a P-256 key file,
 * and with the token key through {@code -D libsofthsm2.so}. Each worker certifies its own copy of the user key,
 * since ssh-keygen writes {@code <key>-cert.pub} beside it.
 */
final class SshKeygenBench {
    private final List<String> signArgs;
    private final Map<String, String> env;
    private final List<Path> userKeys = new ArrayList<>();
    private final SshPublicKey caKey;

    private SshKeygenBench(List<String> signArgs, Map<String, String> env, SshPublicKey caKey, Path dir,
            Path userPub, int workers) throws IOException {
        this.signArgs = signArgs;
        this.env = env;
        this.caKey = caKey;
        for (int w = 0; w < workers; w++) {
            Path wdir = Files.createDirectories(dir.resolve("worker-" + w));
            userKeys.add(Files.copy(userPub, wdir.resolve("user.pub"), StandardCopyOption.REPLACE_EXISTING));
        }
    }

    /** ssh-keygen with the CA private key in a file ({@code -s ca}). */
    static SshKeygenBench withKeyFile(Path dir, Path caKeyFile, SshPublicKey caKey, Path userPub, int workers)
            throws IOException {
        return new SshKeygenBench(List.of("-s", caKeyFile.toString()), Map.of(), caKey,
                Files.createDirectories(dir), userPub, workers);
    }

    /**
     * ssh-keygen with the CA key in a PKCS#11 token ({@code -s ca.pub -D module}). ssh-keygen asks for the PIN
     * through SSH_ASKPASS when stdin is not a terminal; the askpass script prints the PIN file, so the PIN is on
     * no command line.
     */
    static SshKeygenBench withToken(Path dir, Path caPub, Path module, Path pinFile, SshPublicKey caKey,
            Path userPub, int workers) throws IOException {
        Files.createDirectories(dir);
        Path askpass = dir.resolve("askpass");
        Files.writeString(askpass, "#!/bin/sh\nexec cat '" + pinFile + "'\n", StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(askpass, PosixFilePermissions.fromString("rwx------"));
        Map<String, String> env = Map.of("SSH_ASKPASS", askpass.toString(), "SSH_ASKPASS_REQUIRE", "force",
                "DISPLAY", ":0");
        return new SshKeygenBench(List.of("-s", caPub.toString(), "-D", module.toString()), env, caKey, dir, userPub,
                workers);
    }

    /** One certificate per call, in a new ssh-keygen process. */
    Throughput.Op sign() {
        return (worker, i) -> signOnce(worker, 2_000_000 + i);
    }

    private void signOnce(int worker, long serial) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ssh-keygen", "-q"));
        cmd.addAll(signArgs);
        cmd.addAll(List.of("-I", "bench-" + serial, "-n", "alice", "-V", "-1m:+1h", "-z", Long.toString(serial),
                userKeys.get(worker).toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("ssh-keygen did not finish: " + String.join(" ", cmd));
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("ssh-keygen failed (exit " + p.exitValue() + "): " + String.join(" ", cmd)
                    + "\n" + new String(out, StandardCharsets.UTF_8));
        }
    }

    /** Signs one certificate and checks that it verifies against the expected CA key (and so was really signed). */
    void check() throws IOException, InterruptedException {
        signOnce(0, 7);
        Path certFile = userKeys.get(0).resolveSibling("user-cert.pub");
        SignedCertificate cert = CertificateCodec.decodeLine(Files.readString(certFile, StandardCharsets.US_ASCII));
        if (!Arrays.equals(cert.caKey().blob(), caKey.blob()) || cert.certificate().serial() != 7) {
            throw new IllegalStateException("ssh-keygen made a certificate for another CA or serial: " + cert);
        }
    }

    /** {@code ssh -V} output for the report header, e.g. {@code OpenSSH_9.2p1 ...}. */
    static String version() {
        Cmd.Result r = Cmd.run(List.of("ssh", "-V"));
        return (r.stderr() + r.stdout()).strip();
    }
}
