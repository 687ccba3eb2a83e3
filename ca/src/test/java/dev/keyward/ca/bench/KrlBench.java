package dev.keyward.ca.bench;

import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.krl.Krl;
import dev.keyward.ca.krl.KrlSpec;
import dev.keyward.ca.krl.KrlWriter;
import dev.keyward.ca.krl.SerialRanges;
import dev.keyward.ca.testing.OpenSshTool;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * A KRL revoking 1,000,000 certificate serials of one CA, built by {@link KrlWriter} and by
 * {@code ssh-keygen -k -s ca.pub} from the same spec file. The serials: {@value #RANGES} ranges of
 * {@value #RANGE_LENGTH} (a batch of certificates revoked together) and {@value #SCATTERED} distinct serials
 * scattered over 40 million (one-off revocations), from a fixed seed, so every run revokes the same set.
 */
final class KrlBench {
    static final int RANGES = 300;
    static final int RANGE_LENGTH = 2_000;
    static final int SCATTERED = 400_000;
    private static final long RANGE_STRIDE = 10_000;
    private static final long SCATTER_FROM = 10_000_000;
    private static final int SCATTER_SPAN = 40_000_000;
    private static final Duration SSH_KEYGEN_TIMEOUT = Duration.ofMinutes(5);

    /** What one run measured. Times in nanoseconds. */
    record Result(long serials, int oursBytes, long oursFirstNanos, long oursBestNanos, int oursWarmRounds,
            int sshKeygenBytes, long sshKeygenNanos, int sshKeygenRuns) {
    }

    private final long[] rangeStarts;
    private final long[] rangeEnds;
    private final long[] scattered;

    private KrlBench(long[] rangeStarts, long[] rangeEnds, long[] scattered) {
        this.rangeStarts = rangeStarts;
        this.rangeEnds = rangeEnds;
        this.scattered = scattered;
    }

    /** Writes the spec file for {@code seed}, then reads the serials back from it: both builders see one input. */
    static KrlBench fromSpecFile(Path spec, long seed) throws IOException {
        writeSpec(spec, seed);
        List<long[]> ranges = new ArrayList<>();
        long[] singles = new long[SCATTERED];
        int n = 0;
        for (String line : Files.readAllLines(spec, StandardCharsets.US_ASCII)) {
            String v = line.substring("serial: ".length());
            int dash = v.indexOf('-');
            if (dash > 0) {
                ranges.add(new long[] {Long.parseLong(v.substring(0, dash)), Long.parseLong(v.substring(dash + 1))});
            } else {
                singles[n++] = Long.parseLong(v);
            }
        }
        long[] lo = new long[ranges.size()];
        long[] hi = new long[ranges.size()];
        for (int i = 0; i < lo.length; i++) {
            lo[i] = ranges.get(i)[0];
            hi[i] = ranges.get(i)[1];
        }
        return new KrlBench(lo, hi, Arrays.copyOf(singles, n));
    }

    private static void writeSpec(Path spec, long seed) throws IOException {
        Random rnd = new Random(seed);
        BitSet taken = new BitSet(SCATTER_SPAN);
        try (BufferedWriter w = Files.newBufferedWriter(spec, StandardCharsets.US_ASCII)) {
            for (int r = 0; r < RANGES; r++) {
                long start = 1 + r * RANGE_STRIDE;
                w.write("serial: " + start + "-" + (start + RANGE_LENGTH - 1) + "\n");
            }
            for (int written = 0; written < SCATTERED;) { // distinct, in random order
                int offset = rnd.nextInt(SCATTER_SPAN);
                if (!taken.get(offset)) {
                    taken.set(offset);
                    w.write("serial: " + (SCATTER_FROM + offset) + "\n");
                    written++;
                }
            }
        }
    }

    /** Builds the spec and encodes it, as a CA does from the serials in its database. */
    byte[] build(SshPublicKey ca, long version) {
        // No comment: ssh-keygen -k writes none, and the sizes are compared byte for byte.
        KrlSpec.Builder b = KrlSpec.builder().version(version);
        KrlSpec.CaBuilder forCa = b.ca(ca);
        for (int i = 0; i < rangeStarts.length; i++) {
            forCa.revokeSerialRange(rangeStarts[i], rangeEnds[i]);
        }
        forCa.revokeSerials(scattered);
        return KrlWriter.write(b.build());
    }

    /**
     * Times our build (the first run cold, then the best of the next {@code rounds - 1} warm runs, at least one,
     * stopping early after {@code budgetNanos}) and {@code sshKeygenRuns} runs of {@code ssh-keygen -k}; checks
     * that both KRLs revoke the same serials.
     */
    Result run(SshPublicKey ca, Path caPub, Path spec, Path dir, int rounds, long budgetNanos, int sshKeygenRuns,
            LongFunction<SignedCertificate> issueWithSerial) throws IOException {
        byte[] ours = null;
        long first = 0;
        long best = Long.MAX_VALUE;
        int done = 0;
        long started = System.nanoTime();
        while (done < Math.max(2, rounds) && (done < 2 || System.nanoTime() - started < budgetNanos)) {
            long t0 = System.nanoTime();
            ours = build(ca, done + 1);
            long t = System.nanoTime() - t0;
            if (done == 0) {
                first = t; // cold: the KRL code has not run in this JVM yet
            } else {
                best = Math.min(best, t);
            }
            done++;
        }
        Path oursFile = Files.write(dir.resolve("keyward.krl"), ours);

        Path theirsFile = dir.resolve("ssh-keygen.krl");
        long bestKeygen = Long.MAX_VALUE;
        for (int i = 0; i < sshKeygenRuns; i++) {
            Files.deleteIfExists(theirsFile);
            long t0 = System.nanoTime();
            runSshKeygen(List.of("ssh-keygen", "-k", "-f", theirsFile.toString(), "-s", caPub.toString(),
                    spec.toString()));
            bestKeygen = Math.min(bestKeygen, System.nanoTime() - t0);
        }
        byte[] theirs = Files.readAllBytes(theirsFile);

        SerialRanges revoked = check(ca, ours, theirs, oursFile, dir, issueWithSerial);
        return new Result(revoked.serialCount(), ours.length, first, best, done - 1, theirs.length, bestKeygen,
                sshKeygenRuns);
    }

    /**
     * Both KRLs must revoke exactly the same serials of this CA (compared as parsed sets), and ssh-keygen must
     * read ours the same way: a certificate with a revoked serial is REVOKED, one with a gap serial is not.
     */
    private SerialRanges check(SshPublicKey ca, byte[] ours, byte[] theirs, Path oursFile, Path dir,
            LongFunction<SignedCertificate> issueWithSerial) throws IOException {
        SerialRanges a = serialsOf(Krl.parse(ours), ca, "ours");
        SerialRanges b = serialsOf(Krl.parse(theirs), ca, "ssh-keygen's");
        if (!a.equals(b)) {
            throw new IllegalStateException("our KRL and ssh-keygen's revoke different serials: " + a + " vs " + b);
        }
        long expected = (long) RANGES * RANGE_LENGTH + SCATTERED;
        if (a.serialCount() != expected) {
            throw new IllegalStateException("KRL revokes " + a.serialCount() + " serials, expected " + expected);
        }
        long revokedSerial = scattered[0];
        long gap = RANGE_LENGTH + 1; // between the first two ranges
        if (!a.contains(revokedSerial) || a.contains(gap)) {
            throw new IllegalStateException("unexpected serial set");
        }
        Path revokedCert = Files.writeString(dir.resolve("revoked-cert.pub"),
                issueWithSerial.apply(revokedSerial).toOpenSsh("revoked") + "\n");
        Path validCert = Files.writeString(dir.resolve("valid-cert.pub"),
                issueWithSerial.apply(gap).toOpenSsh("valid") + "\n");
        Map<Path, Boolean> answers = OpenSshTool.queryRevoked(oursFile, List.of(revokedCert, validCert));
        if (!answers.get(revokedCert) || answers.get(validCert)) {
            throw new IllegalStateException("ssh-keygen -Q reads our KRL differently: " + answers);
        }
        return a;
    }

    /** Like {@code Cmd.run}, but with room for a slow machine: ssh-keygen -k takes seconds for this spec. */
    private static void runSshKeygen(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        byte[] out = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(SSH_KEYGEN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("ssh-keygen -k did not finish within " + SSH_KEYGEN_TIMEOUT);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (exit " + p.exitValue() + "):\n"
                    + new String(out, StandardCharsets.UTF_8));
        }
    }

    private static SerialRanges serialsOf(Krl krl, SshPublicKey ca, String whose) {
        var sections = krl.toSpec().certificates();
        if (sections.size() != 1 || sections.get(0).caKey().isEmpty()
                || !Arrays.equals(sections.get(0).caKey().get().blob(), ca.withComment("").blob())) {
            throw new IllegalStateException(whose + " KRL does not hold exactly one section for the CA: " + krl);
        }
        return sections.get(0).serials();
    }
}
