package dev.keyward.ca.bench;

import dev.keyward.ca.bench.Throughput.Rate;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.pkcs11.Pkcs11Keys;
import dev.keyward.ca.sign.CaAlgorithm;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.SoftHsm;
import dev.keyward.ca.testing.TestKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The CA benchmark ({@code scripts/bench-ca} starts it with the classpath, the SunPKCS11 flags and
 * {@code SOFTHSM2_CONF} set). One run, one SoftHSM2 P-256 CA key:
 * <ol>
 * <li>raw JCA signing and issuance through the library, 1 and 2 threads, interleaved and repeated; then the
 * two alternating operation by operation, for a ratio that other processes' load hardly moves;</li>
 * <li>{@code ssh-keygen -s} with a P-256 key file (1 and 2 processes at a time) and with the token key
 * ({@code -D});</li>
 * <li>a 1,000,000-serial KRL from {@code KrlWriter} and from {@code ssh-keygen -k}.</li>
 * </ol>
 * Every path is checked once for a valid result before it is timed. Progress goes to stderr, the table to stdout.
 */
public final class BenchCa {
    private static final int THREADS = 2;
    /** In-process operations are bounded by time; this only stops a runaway loop. */
    private static final long MAX_IN_PROCESS_OPS = 50_000_000;

    private final BenchOptions options;
    private final Path work;

    private BenchCa(BenchOptions options, Path work) {
        this.options = options;
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args, System.getenv());
        } catch (BenchOptions.UsageException e) {
            if (e.getMessage() != null) {
                System.err.println("bench-ca: " + e.getMessage());
            }
            System.err.print(BenchOptions.USAGE);
            System.exit(e.getMessage() == null ? 0 : 2);
            return;
        }
        // Everything goes under java.io.tmpdir, which scripts/bench-ca points into the directory it removes at exit.
        Path work = Files.createTempDirectory("keyward-bench");
        int missed = new BenchCa(options, work).run();
        System.exit(options.strict() && missed > 0 ? 1 : 0);
    }

    private int run() throws Exception {
        Instant started = Instant.now();
        String loadBefore = loadAverage();
        // Tokens first: SoftHSM2 sees only the tokens that exist when the module loads.
        SoftHsm.Token token = SoftHsm.newToken();
        progress("generating the CA key (ECDSA P-256) in SoftHSM2 token " + token.label());
        CaSigner ca = Pkcs11Keys.generate(token.uri("bench-ca"), CaAlgorithm.ECDSA_P256, SecretSource.of(Map.of()));
        SshPublicKey caKey = ca.publicKey();
        Path caPub = Files.writeString(work.resolve("ca.pub"), caKey.toOpenSsh() + "\n");
        Path userPub = TestKeys.publicKeyFile(work, "user", "ed25519");
        SshPublicKey subject = TestKeys.read(userPub);
        Path fileCa = Cmd.sshKeygen(work, "file-ca", "ecdsa", 256);
        SshPublicKey fileCaKey = TestKeys.read(Path.of(fileCa + ".pub"));

        SigningBench signing = new SigningBench(ca, subject);
        signing.checkRaw();
        signing.checkIssued(work);
        SshKeygenBench keygen = SshKeygenBench.withKeyFile(work.resolve("keygen-file"), fileCa, fileCaKey, userPub,
                THREADS);
        keygen.check();
        SshKeygenBench hsm = SshKeygenBench.withToken(work.resolve("keygen-hsm"), caPub, token.modulePath(),
                token.pinFile(), caKey, userPub, 1);
        hsm.check();

        Report.Signing results;
        try (Throughput bench = new Throughput(THREADS)) {
            results = measureSigning(bench, signing, keygen, hsm);
        }

        progress("KRL: writing the 1,000,000-serial spec");
        Path spec = work.resolve("krl.spec");
        KrlBench krl = KrlBench.fromSpecFile(spec, options.seed());
        progress("KRL: building ours (" + options.krlRounds() + " rounds) and ssh-keygen's");
        KrlBench.Result krlResult = krl.run(caKey, caPub, spec, work, options.krlRounds(),
                Duration.ofSeconds(20).toNanos(), options.krlKeygen(), signing::issue);

        Report report = new Report(System.out);
        report.header("Keyward CA benchmark, " + started.truncatedTo(ChronoUnit.SECONDS),
                "JDK " + Runtime.version() + " (" + System.getProperty("java.vm.name") + "), "
                        + Runtime.getRuntime().availableProcessors() + " CPUs, load average at start: " + loadBefore,
                SshKeygenBench.version(), softHsmVersion() + ", provider " + signing.providerName() + ", CA key " + caKey.fingerprint(),
                "subject key ed25519; the raw rate signs the " + signing.messageLength()
                        + "-byte to-be-signed part of a real certificate",
                options.describe() + "; every path produced one valid certificate before timing");
        report.signing(results);
        report.krl(krlResult, options.seed());
        System.out.printf(Locale.ROOT, "%d target%s missed; total %.0f s%n", report.missed(),
                report.missed() == 1 ? "" : "s", Duration.between(started, Instant.now()).toMillis() / 1000.0);
        if (signing.sink() == 0) {
            throw new IllegalStateException("nothing was signed");
        }
        return report.missed();
    }

    private Report.Signing measureSigning(Throughput bench, SigningBench signing, SshKeygenBench keygen,
            SshKeygenBench hsm) {
        Duration limit = options.measure();
        progress("warming up the JIT (" + options.warmup().toMillis() + " ms per workload, 2 threads)");
        bench.measure(THREADS, options.warmup(), MAX_IN_PROCESS_OPS, signing.raw());
        bench.measure(THREADS, options.warmup(), MAX_IN_PROCESS_OPS, signing.issuance());
        Rate raw1 = null;
        Rate raw2 = null;
        Rate issue1 = null;
        Rate issue2 = null;
        // Interleaved, so drifting load from other processes hits the rates a ratio compares alike.
        for (int round = 1; round <= options.rounds(); round++) {
            String of = " (round " + round + "/" + options.rounds() + ")";
            progress("raw JCA signing, 1 thread" + of);
            raw1 = Rate.better(raw1, bench.measure(1, limit, MAX_IN_PROCESS_OPS, signing.raw()));
            progress("issuance, 1 thread" + of);
            issue1 = Rate.better(issue1, bench.measure(1, limit, MAX_IN_PROCESS_OPS, signing.issuance()));
            progress("raw JCA signing, 2 threads" + of);
            raw2 = Rate.better(raw2, bench.measure(2, limit, MAX_IN_PROCESS_OPS, signing.raw()));
            progress("issuance, 2 threads" + of);
            issue2 = Rate.better(issue2, bench.measure(2, limit, MAX_IN_PROCESS_OPS, signing.issuance()));
        }
        progress("issuance and raw JCA alternating, 1 thread");
        Paired.Result paired1 = Paired.measure(bench, 1, limit, signing.raw(), signing.issuance());
        progress("issuance and raw JCA alternating, 2 threads");
        Paired.Result paired2 = Paired.measure(bench, 2, limit, signing.raw(), signing.issuance());
        bench.measure(1, Duration.ofMillis(500), 10, keygen.sign()); // page cache, dynamic loader
        progress("ssh-keygen -s with a key file, sequential");
        Rate keygen1 = bench.measure(1, limit, options.keygenMax(), keygen.sign());
        progress("ssh-keygen -s with a key file, 2 at a time");
        Rate keygen2 = bench.measure(2, limit, options.keygenMax(), keygen.sign());
        progress("ssh-keygen -s -D libsofthsm2.so, sequential");
        Rate hsm1 = bench.measure(1, limit, options.hsmMax(), hsm.sign());
        return new Report.Signing(raw1, raw2, issue1, issue2, paired1, paired2, keygen1, keygen2, hsm1);
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String softHsmVersion() {
        Cmd.Result r = Cmd.run(List.of("softhsm2-util", "--version"));
        return "SoftHSM2 " + r.stdout().strip();
    }

    private static void progress(String what) {
        System.err.println("bench-ca: " + what);
    }
}
