package dev.keyward.ca.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.SoftHsm;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI with a CA key inside a SoftHSM2 token, addressed by an RFC 7512 URI with a pin-source file. */
class KeywardCaCliPkcs11Test {
    static SoftHsm.Token token;

    @TempDir
    Path tmp;

    @BeforeAll
    static void token() {
        token = SoftHsm.newToken();
    }

    @Test
    void initSignAndPubkeyWithATokenKey() throws Exception {
        String uri = token.uri("cli-ca").toString();
        KeywardCaCliTest.Run init = KeywardCaCliTest.cli("init", "--key", uri, "--algorithm", "ecdsa-p384");
        assertEquals(0, init.code(), init.err());
        assertTrue(init.out().startsWith("ecdsa-sha2-nistp384 "), init.out());
        KeywardCaCliTest.Run again = KeywardCaCliTest.cli("init", "--key", uri);
        assertEquals(1, again.code());
        assertTrue(again.err().contains("already"), again.err());
        KeywardCaCliTest.Run pub = KeywardCaCliTest.cli("pubkey", "--key", uri);
        assertEquals(init.out().strip().split(" ")[1], pub.out().strip().split(" ")[1]);

        Path userPub = Path.of(Cmd.sshKeygen(tmp, "id", "ed25519", 0) + ".pub");
        KeywardCaCliTest.Run sign = KeywardCaCliTest.cli("sign", "--key", uri, "--type", "user", "--principals", "alice",
                "--key-id", "alice-hsm", "--serial", "9", "--validity", "+1h", userPub.toString());
        assertEquals(0, sign.code(), sign.err());
        var cert = CertificateCodec.decodeLine(Files.readString(tmp.resolve("id-cert.pub")));
        assertEquals(pub.out().strip().split(" ")[1],
                java.util.Base64.getEncoder().encodeToString(cert.caKey().blob()));
        KeywardCaCliTest.Run ed = KeywardCaCliTest.cli("init", "--key", token.uri("ed").toString(), "--algorithm", "ed25519");
        assertEquals(1, ed.code());
        assertTrue(ed.err().contains("Ed25519"), ed.err());
    }
}
