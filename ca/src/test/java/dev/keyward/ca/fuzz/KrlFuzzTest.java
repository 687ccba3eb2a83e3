package dev.keyward.ca.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.krl.Krl;
import dev.keyward.ca.krl.KrlWriter;
import dev.keyward.ca.testing.Cmd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * KRLs (PROTOCOL.krl) as the agent reads them before making one sshd's RevokedKeys file: {@link Krl#parse} and
 * {@link Krl#parseForInstall}. Only {@link InvalidInputException} may escape either.
 */
class KrlFuzzTest {
    /** Installable KRLs checked against ssh-keygen -Q: the first ones, then one in {@value #ORACLE_EVERY}. */
    private static final int ORACLE_FIRST = 40;
    private static final int ORACLE_EVERY = 200;
    private static final AtomicLong INSTALLABLE = new AtomicLong();

    /**
     * What {@code parseForInstall} accepts, {@code parse} accepts alike, and ssh-keygen -Q (OpenSSH's krl.c, as sshd
     * loads RevokedKeys) reads too; an accepted KRL keeps its bytes, and rewritten from what it revokes it reads
     * back as the same revocations.
     */
    @FuzzTest
    void parse(byte[] data) throws IOException {
        Krl krl;
        try {
            krl = Krl.parse(data);
        } catch (InvalidInputException e) {
            assertRefusedForInstall(data);
            return;
        }
        assertArrayEquals(data, krl.encoded());
        assertEquals(krl.toSpec(), Krl.parse(KrlWriter.write(krl.toSpec())).toSpec(), "rewritten KRL means otherwise");
        Krl installable;
        try {
            installable = Krl.parseForInstall(data);
        } catch (InvalidInputException e) {
            assertTrue(!krl.signatures().isEmpty() || !krl.extensions().isEmpty(),
                    () -> "refused for install without a signature or extension: " + e.getMessage());
            return;
        }
        assertEquals(krl.toSpec(), installable.toSpec());
        long n = INSTALLABLE.incrementAndGet();
        if (n <= ORACLE_FIRST || n % ORACLE_EVERY == 0) {
            Path f = Files.createTempFile("keyward-fuzz", ".krl");
            try {
                Files.write(f, data);
                Cmd.Result r = Cmd.run(List.of("ssh-keygen", "-Q", "-l", "-f", f.toString()));
                assertEquals(0, r.exitCode(), () -> "ssh-keygen -Q refuses a KRL we would install: " + r.stderr());
            } finally {
                Files.delete(f);
            }
        }
    }

    private static void assertRefusedForInstall(byte[] data) {
        try {
            Krl.parseForInstall(data);
        } catch (InvalidInputException expected) {
            return;
        }
        throw new AssertionError("parseForInstall accepts a KRL that parse refuses");
    }
}
