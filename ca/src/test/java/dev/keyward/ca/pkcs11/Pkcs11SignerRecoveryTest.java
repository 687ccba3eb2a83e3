package dev.keyward.ca.pkcs11;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.sign.CaAlgorithm;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.SignerUnavailableException;
import dev.keyward.ca.sign.SshSignatures;
import dev.keyward.ca.testing.SoftHsm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A PKCS#11 signer whose token goes away and comes back, in one JVM, against SoftHSM2 through SunPKCS11: signing
 * fails fast while the token is away, and works again by itself once it is back, with the same key.
 */
class Pkcs11SignerRecoveryTest {
    private static final byte[] DATA = "certificate to be signed".getBytes(StandardCharsets.UTF_8);
    private static final SecretSource NONE = SecretSource.of(Map.of());
    /** What a request may wait while the token is away (the signer waits up to 2 s for a first reconnect). */
    private static final Duration MAX_WAIT = Duration.ofSeconds(5);
    /** How soon signing must work again once the token is back. */
    private static final Duration RECOVERY = Duration.ofSeconds(30);

    private static SoftHsm.Token moved;
    private static SoftHsm.Token wholeDirectory;
    private static SoftHsm.Token replaced;

    @BeforeAll
    static void tokens() {
        moved = SoftHsm.newToken();
        wholeDirectory = SoftHsm.newToken();
        replaced = SoftHsm.newToken();
    }

    @Test
    void signersFindTheirKeysAgainAfterTheTokenDirectoryWasAwayAndBack() throws Exception {
        CaSigner user = Pkcs11Keys.generate(moved.uri("user-ca"), CaAlgorithm.ECDSA_P256, NONE);
        CaSigner host = Pkcs11Keys.generate(moved.uri("host-ca"), CaAlgorithm.ECDSA_P384, NONE);
        CaSigner reopened = Pkcs11Keys.open(moved.uri("user-ca"), NONE); // as a server opens it by its URI
        List<CaSigner> signers = List.of(user, host, reopened);
        signers.forEach(Pkcs11SignerRecoveryTest::assertSigns);

        Path dir = moved.directory();
        away(dir, signers);
        signers.forEach(Pkcs11SignerRecoveryTest::awaitRecovery);
        assertEquals(user.publicKey(), reopened.publicKey());
        signers.forEach(CaSigner::close);
    }

    @Test
    void signersRecoverWhenTheWholeTokenDirectoryWasAwaySoTheModuleCouldNotEvenInitialise() throws Exception {
        CaSigner signer = Pkcs11Keys.generate(wholeDirectory.uri("ca"), CaAlgorithm.ECDSA_P256, NONE);
        assertSigns(signer);
        // SoftHSM2's C_Initialize fails (CKR_GENERAL_ERROR) without its token directory: afterwards every call
        // says CKR_CRYPTOKI_NOT_INITIALIZED until the module is initialised again
        away(wholeDirectory.directory().getParent(), List.of(signer));
        awaitRecovery(signer);
        signer.close();
    }

    @Test
    void aKeyReplacedUnderTheSameNameIsNotSignedWith() {
        Pkcs11Uri uri = replaced.uri("ca");
        CaSigner original = Pkcs11Keys.generate(uri, CaAlgorithm.ECDSA_P256, NONE);
        SshPublicKey before = original.publicKey();
        assertSigns(original);
        Pkcs11Keys.destroy(uri, NONE);
        CaSigner impostor = Pkcs11Keys.generate(uri, CaAlgorithm.ECDSA_P256, NONE);

        SignerUnavailableException e = assertThrows(SignerUnavailableException.class, () -> original.sign(DATA));
        assertTrue(e.getMessage().contains("different key named 'ca' (" + impostor.publicKey().fingerprint()
                + ") than the one this server opened (" + before.fingerprint() + ")"), e.getMessage());
        assertThrows(SignerUnavailableException.class, () -> original.sign(DATA), "still refused");
        assertEquals(before, original.publicKey());
        original.close();
        impostor.close();
    }

    @Test
    void reconnectsBackOffUpToFiveSeconds() {
        assertEquals(List.of(250L, 500L, 1000L, 2000L, 4000L, 5000L, 5000L),
                List.of(1, 2, 3, 4, 5, 6, 100).stream().map(n -> Pkcs11Signer.backoff(n).toMillis()).toList());
    }

    /**
     * Moves {@code dir} away for three seconds, during which every signer fails each signature, within
     * {@link #MAX_WAIT}, with {@link SignerUnavailableException}; then moves it back.
     */
    private static void away(Path dir, List<CaSigner> signers) throws Exception {
        // beside the token directory, not in it: SoftHSM2 takes every directory in there for a token
        Path aside = Path.of(System.getenv("SOFTHSM2_CONF")).toAbsolutePath()
                .resolveSibling(dir.getFileName() + ".away");
        Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
        try {
            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            int rounds = 0;
            while (System.nanoTime() < until && rounds < 100) {
                for (CaSigner s : signers) {
                    long start = System.nanoTime();
                    SignerUnavailableException e = assertThrows(SignerUnavailableException.class, () -> s.sign(DATA),
                            s.description() + " signed without its token");
                    Duration took = Duration.ofNanos(System.nanoTime() - start);
                    assertTrue(took.compareTo(MAX_WAIT) < 0, s.description() + " kept the caller " + took);
                    assertTrue(e.getMessage().startsWith(s.description() + " is unavailable: "), e.getMessage());
                }
                rounds++;
                Thread.sleep(100);
            }
        } finally {
            Files.move(aside, dir, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** Signs until it works again (bounded by {@link #RECOVERY}), then checks the signature. */
    private static void awaitRecovery(CaSigner s) {
        long deadline = System.nanoTime() + RECOVERY.toNanos();
        SignerUnavailableException last = null;
        while (System.nanoTime() < deadline) {
            try {
                assertTrue(SshSignatures.verify(s.publicKey(), DATA, s.sign(DATA)), s.description());
                return;
            } catch (SignerUnavailableException e) {
                last = e;
            }
            sleep(200);
        }
        throw new AssertionError(s.description() + " did not recover within " + RECOVERY, last);
    }

    private static void assertSigns(CaSigner s) {
        assertTrue(SshSignatures.verify(s.publicKey(), DATA, s.sign(DATA)), s.description());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
