package dev.keyward.ca.pkcs11;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.KeyType;
import dev.keyward.ca.sign.CaAlgorithm;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.SignatureAlgorithm;
import dev.keyward.ca.sign.SshSignatures;
import dev.keyward.ca.testing.SoftHsm;
import dev.keyward.ca.testing.TokenObjects;
import dev.keyward.ca.wire.SshReader;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** CA keys in a real SoftHSM2 token through SunPKCS11; no mocks. */
class Pkcs11KeysTest {
    private static final byte[] DATA = "certificate to be signed".getBytes(StandardCharsets.UTF_8);

    private static SoftHsm.Token token;
    /** Its own token: wrong-PIN attempts must not lock the token other tests use. */
    private static SoftHsm.Token pinToken;

    @BeforeAll
    static void tokens() {
        token = SoftHsm.newToken();
        pinToken = SoftHsm.newToken();
    }

    /** One test per algorithm covers the whole life of a key, since RSA generation in SoftHSM2 takes seconds. */
    @ParameterizedTest
    @EnumSource(value = CaAlgorithm.class, names = {"ECDSA_P256", "ECDSA_P384", "RSA_3072"})
    void generatedKeySignsReopensByNameAndNeverLeavesTheToken(CaAlgorithm algorithm) {
        String name = "gen-" + algorithm.label();
        Pkcs11Uri uri = token.uri(name);
        CaSigner generated = Pkcs11Keys.generate(uri, algorithm, SecretSource.of(Map.of()));
        assertEquals(algorithm.keyType(), generated.publicKey().type());
        assertEquals(algorithm.bits(), generated.publicKey().bits());
        assertEquals(SignatureAlgorithm.forSigning(algorithm.keyType()), generated.algorithm());
        byte[] signature = generated.sign(DATA);
        assertEquals(generated.algorithm().sshName(), blobAlgorithm(signature));
        assertTrue(SshSignatures.verify(generated.publicKey(), DATA, signature));

        // Found by name again, through a URI parsed from text.
        CaSigner opened = Pkcs11Keys.open(Pkcs11Uri.parse(uri.toString()), SecretSource.of(Map.of()));
        assertArrayEquals(generated.publicKey().blob(), opened.publicKey().blob());
        // SoftHSM2's slots are soft-token slots (no CKF_HW_SLOT): its signatures cost this host's CPU
        assertTrue(generated.signsOnHostCpu() && opened.signsOnHostCpu());
        assertTrue(SshSignatures.verify(generated.publicKey(), DATA, opened.sign(DATA)));
        assertFalse(SshSignatures.verify(generated.publicKey(), "other data".getBytes(StandardCharsets.UTF_8),
                opened.sign(DATA)));

        // In this JVM: SunPKCS11 cannot encode the private key.
        KeyStore ks = Pkcs11Token.of(uri).login(token.userPin().toCharArray());
        assertTrue(key(ks, name).getEncoded() == null, "the private key can be encoded: it left the token");

        // From another process, which sees only token objects: the key persisted, sensitive, non-extractable,
        // and usable for nothing but signing.
        String id = HexFormat.of().formatHex(name.getBytes(StandardCharsets.UTF_8));
        TokenObjects.PrivateKey listed = TokenObjects.privateKeys(token).stream()
                .filter(k -> k.id().equals(id))
                .findFirst().orElseThrow(() -> new AssertionError("pkcs11-tool does not list key " + name));
        assertTrue(listed.access().contains("sensitive"), listed.access().toString());
        assertTrue(listed.access().contains("never extractable"), listed.access().toString());
        assertFalse(listed.access().contains("extractable"), listed.access().toString());
        assertEquals(Set.of("sign"), listed.usage(), "a CA key must only sign");
    }

    /** RSA-4096 generation takes seconds in SoftHSM2, so it has this one test. */
    @Test
    void rsa4096KeySignsWithRsaSha2512() {
        CaSigner signer = Pkcs11Keys.generate(token.uri("rsa-4096"), CaAlgorithm.RSA_4096, SecretSource.of(Map.of()));
        assertEquals(4096, signer.publicKey().bits());
        assertEquals(SignatureAlgorithm.RSA_SHA2_512, signer.algorithm());
        byte[] signature = signer.sign(DATA);
        assertEquals("rsa-sha2-512", blobAlgorithm(signature));
        assertTrue(SshSignatures.verify(signer.publicKey(), DATA, signature));
    }

    @Test
    void pinFromEnvironmentWorksWithoutPinSource() {
        CaSigner signer = Pkcs11Keys.generate(token.uriWithoutPinSource("env-pin"), CaAlgorithm.ECDSA_P256,
                token.secrets());
        assertTrue(SshSignatures.verify(signer.publicKey(), DATA, signer.sign(DATA)));
    }

    @Test
    void refusesToOverwriteAnExistingKey() {
        Pkcs11Uri uri = token.uri("taken");
        CaSigner first = Pkcs11Keys.generate(uri, CaAlgorithm.ECDSA_P256, SecretSource.of(Map.of()));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Pkcs11Keys.generate(uri, CaAlgorithm.ECDSA_P384, SecretSource.of(Map.of())));
        assertEquals("PKCS#11 token '" + token.label() + "' already has a key named 'taken'; choose another name or"
                + " open the existing key", e.getMessage());
        assertArrayEquals(first.publicKey().blob(), Pkcs11Keys.open(uri, SecretSource.of(Map.of())).publicKey().blob());
    }

    @Test
    void concurrentGenerationOfOneNameCreatesOneKey() throws Exception {
        Pkcs11Uri uri = token.uri("race");
        Callable<CaSigner> generate = () -> Pkcs11Keys.generate(uri, CaAlgorithm.ECDSA_P256, SecretSource.of(Map.of()));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<CaSigner>> results = pool.invokeAll(List.of(generate, generate));
            List<CaSigner> made = new ArrayList<>();
            int refused = 0;
            for (Future<CaSigner> f : results) {
                try {
                    made.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    assertTrue(e.getCause() instanceof InvalidInputException, e.getCause().toString());
                    refused++;
                }
            }
            assertEquals(1, made.size());
            assertEquals(1, refused);
            assertArrayEquals(made.get(0).publicKey().blob(),
                    Pkcs11Keys.open(uri, SecretSource.of(Map.of())).publicKey().blob());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void refusesUnknownTokenAndListsTheLabelsFound() {
        Pkcs11Uri uri = Pkcs11Uri.of("no-such-token", "ca", SoftHsm.MODULE, token.pinFile());
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Pkcs11Keys.open(uri, SecretSource.of(Map.of())));
        assertTrue(e.getMessage().startsWith("no PKCS#11 token labelled 'no-such-token' in " + SoftHsm.MODULE
                + "; tokens found: "), e.getMessage());
        assertTrue(e.getMessage().contains("'" + token.label() + "'"), e.getMessage());
    }

    @Test
    void refusesUnknownKeyAndListsTheKeysFound() {
        Pkcs11Keys.generate(token.uri("listed"), CaAlgorithm.ECDSA_P256, SecretSource.of(Map.of()));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Pkcs11Keys.open(token.uri("absent"), SecretSource.of(Map.of())));
        assertTrue(e.getMessage().startsWith("PKCS#11 token '" + token.label() + "' has no key named 'absent'; keys"
                + " found: "), e.getMessage());
        assertTrue(e.getMessage().contains("'listed'"), e.getMessage());
    }

    @Test
    void refusesMissingModule() {
        Pkcs11Uri uri = Pkcs11Uri.of(token.label(), "ca", Path.of("/nonexistent/libp11.so"), token.pinFile());
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Pkcs11Keys.open(uri, SecretSource.of(Map.of())));
        assertEquals("PKCS#11 module /nonexistent/libp11.so does not exist (module-path in the PKCS#11 URI)",
                e.getMessage());
    }

    @Test
    void refusesFileThatIsNotAPkcs11Module(@TempDir Path dir) throws IOException {
        Path notAModule = Files.writeString(dir.resolve("libnot-p11.so"), "not a shared object\n");
        Pkcs11Uri uri = Pkcs11Uri.of(token.label(), "ca", notAModule, token.pinFile());
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Pkcs11Keys.open(uri, SecretSource.of(Map.of())));
        assertTrue(e.getMessage().startsWith("cannot load PKCS#11 module " + notAModule + ": "), e.getMessage());
    }

    @Test
    void refusesMissingPinFile() {
        Path absent = token.pinFile().resolveSibling("absent.pin");
        Pkcs11Uri uri = Pkcs11Uri.of(token.label(), "ca", SoftHsm.MODULE, absent);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Pkcs11Keys.open(uri, token.secrets()));
        assertEquals("PIN file " + absent + " for PKCS#11 token '" + token.label() + "' does not exist (pin-source in"
                + " the PKCS#11 URI)", e.getMessage());
    }

    @Test
    void refusesEd25519BeforeTouchingTheToken() {
        Pkcs11Uri uri = Pkcs11Uri.of("token-not-consulted", "ca", Path.of("/nonexistent/libp11.so"), null);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Pkcs11Keys.generate(uri, CaAlgorithm.ED25519, SecretSource.of(Map.of())));
        assertEquals("Ed25519 CA keys only with software keys: SunPKCS11 has no EdDSA; choose ecdsa-p256 (default),"
                + " ecdsa-p384, rsa-3072 or rsa-4096 for a PKCS#11 token", e.getMessage());
    }

    @Test
    void wrongPinIsRefusedOnceAndTheRightPinStillWorks() {
        Pkcs11Uri uri = pinToken.uriWithoutPinSource("pin-test");
        SecretSource wrong = SecretSource.of(Map.of(SecretSource.PKCS11_PIN_ENV, "not-the-pin"));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Pkcs11Keys.generate(uri, CaAlgorithm.ECDSA_P256, wrong));
        assertEquals("PKCS#11 login to token '" + pinToken.label() + "' failed: wrong PIN?", e.getMessage());

        CaSigner signer = Pkcs11Keys.generate(uri, CaAlgorithm.ECDSA_P256, pinToken.secrets());
        assertTrue(SshSignatures.verify(signer.publicKey(), DATA, signer.sign(DATA)));

        // Logged in now: PKCS#11 would not check a second PIN, so Keyward does.
        InvalidInputException again = assertThrows(InvalidInputException.class, () -> Pkcs11Keys.open(uri, wrong));
        assertEquals("PKCS#11 login to token '" + pinToken.label() + "' failed: wrong PIN?", again.getMessage());
    }

    @Test
    void destroyRemovesTheKeyFromTheToken() {
        Pkcs11Uri uri = token.uri("doomed");
        Pkcs11Keys.generate(uri, CaAlgorithm.ECDSA_P256, SecretSource.of(Map.of()));
        Pkcs11Keys.destroy(uri, SecretSource.of(Map.of()));

        InvalidInputException open = assertThrows(InvalidInputException.class,
                () -> Pkcs11Keys.open(uri, SecretSource.of(Map.of())));
        assertTrue(open.getMessage().startsWith("PKCS#11 token '" + token.label() + "' has no key named 'doomed'"),
                open.getMessage());
        InvalidInputException again = assertThrows(InvalidInputException.class,
                () -> Pkcs11Keys.destroy(uri, SecretSource.of(Map.of())));
        assertTrue(again.getMessage().startsWith("PKCS#11 token '" + token.label() + "' has no key named 'doomed' to"
                + " delete"), again.getMessage());
        String doomedId = HexFormat.of().formatHex("doomed".getBytes(StandardCharsets.UTF_8));
        assertTrue(TokenObjects.privateKeys(token).stream().noneMatch(k -> k.id().equals(doomedId)));
    }

    @Test
    void signerDescriptionNamesKeyAndTokenButNoSecret() {
        CaSigner signer = Pkcs11Keys.generate(token.uri("described"), CaAlgorithm.ECDSA_P256, SecretSource.of(Map.of()));
        assertEquals("PKCS#11 key 'described' on token '" + token.label() + "'", signer.description());
        assertFalse(signer.description().contains(token.userPin()));
        assertEquals(KeyType.ECDSA_P256, signer.publicKey().type());
    }

    /** The algorithm name a signature blob starts with (RFC 4253 section 6.6). */
    private static String blobAlgorithm(byte[] signatureBlob) {
        return new String(new SshReader(signatureBlob, "signature").string("algorithm"), StandardCharsets.US_ASCII);
    }

    private static Key key(KeyStore ks, String name) {
        try {
            Key key = ks.getKey(name, null);
            if (key == null) {
                throw new AssertionError("no key " + name + " in the key store");
            }
            return key;
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError("cannot read key " + name, e);
        }
    }
}
