package dev.keyward.ca.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.wire.SshReader;
import dev.keyward.ca.wire.SshWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SSHSIG verification against signatures {@code ssh-keygen -Y sign} made, for every host key type. */
class SshSigTest {
    static final String NS = "test@keyward.dev";
    static final byte[] MESSAGE = "kwc_the-challenge".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    /** {@code ssh-keygen -Y sign} over {@code message} on stdin; returns the armored signature and the key. */
    static String sign(Path key, String namespace, byte[] message, String... options) {
        List<String> cmd = new java.util.ArrayList<>(List.of("ssh-keygen", "-Y", "sign", "-f", key.toString(),
                "-n", namespace));
        for (String o : options) {
            cmd.add("-O");
            cmd.add(o);
        }
        return Cmd.run(cmd, null, Map.of(), new String(message, StandardCharsets.US_ASCII)).orThrow().stdout();
    }

    static SshPublicKey pub(Path key) throws Exception {
        return PublicKeyParser.withDefaults().parseLine(Files.readString(Path.of(key + ".pub")));
    }

    @ParameterizedTest
    @CsvSource({"ed25519,0,", "ecdsa,256,", "ecdsa,384,", "ecdsa,521,", "rsa,2048,", "rsa,3072,hashalg=sha256"})
    void verifiesWhatSshKeygenSignedForEveryKeyType(String type, int bits, String option) throws Exception {
        Path key = Cmd.sshKeygen(dir, type + bits, type, bits);
        String armored = option == null ? sign(key, NS, MESSAGE) : sign(key, NS, MESSAGE, option);
        SshSig sig = SshSig.parse(armored);
        assertEquals(pub(key), sig.publicKey());
        assertEquals(NS, sig.namespace());
        assertEquals(option == null ? "sha512" : "sha256", sig.hashAlgorithm());
        assertTrue(sig.verify(MESSAGE, NS));
        assertFalse(sig.verify("kwc_another-challenge".getBytes(StandardCharsets.US_ASCII), NS));
        // the bare base64 of the blob (armor and line breaks removed) is the same signature
        String bare = armored.replace(SshSig.BEGIN, "").replace(SshSig.END, "").replaceAll("\\s", "");
        assertTrue(SshSig.parse(bare).verify(MESSAGE, NS));
    }

    @Test
    void anotherNamespaceIsRefused() throws Exception {
        Path key = Cmd.sshKeygen(dir, "k", "ed25519", 0);
        SshSig sig = SshSig.parse(sign(key, "file", MESSAGE));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> sig.verify(MESSAGE, NS));
        assertTrue(e.getMessage().contains("namespace 'file'"), e.getMessage());
    }

    @Test
    void malformedSignaturesAreInvalidInput() throws Exception {
        Path key = Cmd.sshKeygen(dir, "k", "ed25519", 0);
        String armored = sign(key, NS, MESSAGE);
        byte[] blob = Base64.getMimeDecoder().decode(armored.replace(SshSig.BEGIN, "").replace(SshSig.END, "").strip());
        for (String bad : List.of("", "not base64 !", "QUJD", armored.replace(SshSig.END, ""),
                armored + "trailing",
                Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(blob, blob.length - 3)),
                Base64.getEncoder().encodeToString(concat(blob, new byte[] {0})))) {
            assertThrows(InvalidInputException.class, () -> SshSig.parse(bad), bad);
        }
        byte[] wrongMagic = blob.clone();
        wrongMagic[0] = 'X';
        assertThrows(InvalidInputException.class, () -> SshSig.parseBlob(wrongMagic));
        byte[] version2 = blob.clone();
        version2[9] = 2;
        assertThrows(InvalidInputException.class, () -> SshSig.parseBlob(version2));
        // a hash algorithm PROTOCOL.sshsig does not define
        SshSig good = SshSig.parseBlob(blob);
        byte[] md5 = blob(good.publicKey(), NS, "md5", good.signature());
        assertThrows(InvalidInputException.class, () -> SshSig.parseBlob(md5));
    }

    @Test
    void rsaWithSha1IsRefusedAsSshsigDemands() throws Exception {
        var kp = KeyPairGenerator.getInstance("RSA");
        kp.initialize(2048);
        var pair = kp.generateKeyPair();
        RSAPublicKey rsa = (RSAPublicKey) pair.getPublic();
        byte[] keyBlob = new SshWriter().string("ssh-rsa").mpint(rsa.getPublicExponent()).mpint(rsa.getModulus())
                .toByteArray();
        SshPublicKey key = PublicKeyParser.withDefaults().parseBlob(keyBlob);
        byte[] h = java.security.MessageDigest.getInstance("SHA-512").digest(MESSAGE);
        byte[] signed = new SshWriter().bytes(SshSig.MAGIC).string(NS).string(new byte[0]).string("sha512").string(h)
                .toByteArray();
        Signature s = Signature.getInstance("SHA1withRSA");
        s.initSign(pair.getPrivate());
        s.update(signed);
        byte[] sigBlob = new SshWriter().string("ssh-rsa").string(s.sign()).toByteArray();
        SshSig sig = SshSig.parseBlob(blob(key, NS, "sha512", sigBlob));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> sig.verify(MESSAGE, NS));
        assertTrue(e.getMessage().contains("rsa-sha2"), e.getMessage());
    }

    @Test
    void aSignatureByAnotherKeyDoesNotVerify() throws Exception {
        Path a = Cmd.sshKeygen(dir, "a", "ed25519", 0);
        Path b = Cmd.sshKeygen(dir, "b", "ed25519", 0);
        SshSig byA = SshSig.parse(sign(a, NS, MESSAGE));
        // b's public key with a's signature blob: well-formed, but not b's signature
        SshSig swapped = SshSig.parseBlob(blob(pub(b), NS, byA.hashAlgorithm(), byA.signature()));
        assertFalse(swapped.verify(MESSAGE, NS));
        // a signature blob of another algorithm than the key's
        Path ec = Cmd.sshKeygen(dir, "ec", "ecdsa", 256);
        SshSig mixed = SshSig.parseBlob(blob(pub(ec), NS, "sha512", byA.signature()));
        assertThrows(InvalidInputException.class, () -> mixed.verify(MESSAGE, NS));
    }

    /** An SSHSIG blob with the given fields (PROTOCOL.sshsig section 2). */
    static byte[] blob(SshPublicKey key, String ns, String hash, byte[] sig) {
        return new SshWriter().bytes(SshSig.MAGIC).uint32(1).string(key.blob()).string(ns).string(new byte[0])
                .string(hash).string(sig).toByteArray();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void theSignatureAlgorithmIsReadFromTheBlob() throws Exception {
        Path key = Cmd.sshKeygen(dir, "r", "rsa", 2048);
        SshSig sig = SshSig.parse(sign(key, NS, MESSAGE));
        assertEquals("rsa-sha2-512", new SshReader(sig.signature(), "sig").utf8("alg"));
    }
}
