package dev.keyward.web.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.sign.CaAlgorithm;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.Signers;
import dev.keyward.ca.sign.SshSig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint line: canonical, parsed strictly, and signed only by the key it names. */
class CheckpointTest {
    static final String HASH = "ab".repeat(32);

    @TempDir
    Path dir;

    private CaSigner key(String name) {
        return Signers.create("file:" + dir.resolve(name), CaAlgorithm.ECDSA_P256, SecretSource.of(Map.of()));
    }

    @Test
    void aLineReadsBackAsItselfAndIsSignedByItsKeyOnly() {
        try (CaSigner k = key("a"); CaSigner other = key("b")) {
            Checkpoint c = Checkpoint.sign(Checkpoint.Kind.CHECKPOINT, 1000, HASH,
                    Instant.parse("2026-12-05T10:00:00.123456789Z"), k);
            assertEquals("keyward-audit-checkpoint v1 seq=1000 hash=" + HASH + " time=2026-12-05T10:00:00.123456Z key="
                    + k.publicKey().fingerprint(), c.message());
            Checkpoint back = Checkpoint.parse(c.line());
            assertEquals(c.line(), back.line());
            assertTrue(back.signedBy(k.publicKey()));
            assertFalse(back.signedBy(other.publicKey()));
            // behind a syslog prefix, with trailing blanks
            assertTrue(Checkpoint.parse("Dec  5 10:00:00 ca1 keyward[42]: " + c.line() + "  ").signedBy(k.publicKey()));
            // whole seconds keep six digits, so the text is one per instant
            assertTrue(Checkpoint.sign(Checkpoint.Kind.ROLLBACK, 0, AuditHashing.GENESIS,
                    Instant.parse("2026-12-05T10:00:00Z"), k).line()
                    .startsWith("keyward-audit-rollback v1 seq=0 hash=" + AuditHashing.GENESIS
                            + " time=2026-12-05T10:00:00.000000Z key="));
        }
    }

    @Test
    void anythingButTheCanonicalFormIsRefused() {
        try (CaSigner k = key("a")) {
            Checkpoint c = Checkpoint.sign(Checkpoint.Kind.CHECKPOINT, 42, HASH, Instant.now(), k);
            String line = c.line();
            for (String bad : List.of(
                    "", "hello", line.replace(" v1 ", " v2 "), line.replace("seq=42", "seq=042"),
                    line.replace("seq=42", "seq=-42"), line.replace("seq=42", "seq=4x"),
                    line.replace(HASH, HASH.toUpperCase()), line.replace(HASH, HASH.substring(2)),
                    line.replace(".", ","), line.replace("Z key=", "+00:00 key="), line.replace(" sig=", " sig=!"),
                    line.substring(0, line.indexOf(" sig=")), line.replace("key=SHA256:", "key=MD5:"),
                    line.replace(" hash=", "  hash="), line.replace("keyward-audit-checkpoint", "keyward-audit-other"),
                    line.replace("time=", "time=x"), line.replace(" sig=", " extra=1 sig="))) {
                assertThrows(InvalidInputException.class, () -> Checkpoint.parse(bad), bad);
            }
        }
    }

    @Test
    void aSignatureInAnotherNamespaceOrOverOtherTextDoesNotCount() {
        try (CaSigner k = key("a")) {
            Checkpoint c = Checkpoint.sign(Checkpoint.Kind.CHECKPOINT, 7, HASH, Instant.now(), k);
            SshSig elsewhere = SshSig.sign(k, c.message().getBytes(StandardCharsets.UTF_8), "file");
            assertFalse(new Checkpoint(c.kind(), 7, HASH, c.time(), c.keyFingerprint(), elsewhere).signedBy(k.publicKey()));
            // the same signature under another seq
            assertFalse(new Checkpoint(c.kind(), 8, HASH, c.time(), c.keyFingerprint(), c.signature())
                    .signedBy(k.publicKey()));
            // a rollback is not a checkpoint: the kind is signed too
            assertFalse(new Checkpoint(Checkpoint.Kind.ROLLBACK, 7, HASH, c.time(), c.keyFingerprint(), c.signature())
                    .signedBy(k.publicKey()));
        }
    }
}
