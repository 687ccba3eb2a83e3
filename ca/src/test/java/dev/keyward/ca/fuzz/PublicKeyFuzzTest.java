package dev.keyward.ca.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.Sha256;
import dev.keyward.ca.key.AuthorizedKeyLine;
import dev.keyward.ca.key.JcaKeys;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Public-key blobs (RFC 4253 section 6.6, PROTOCOL.u2f) and authorized_keys lines (sshd(8) AUTHORIZED_KEYS FILE
 * FORMAT). Only {@link InvalidInputException} may escape {@link PublicKeyParser} and {@link AuthorizedKeyLine}.
 */
class PublicKeyFuzzTest {
    private static final PublicKeyParser PARSER = PublicKeyParser.withDefaults();

    /** A parsed key re-encodes to the same bytes, both as kept and rebuilt from its JCA form. */
    @FuzzTest
    void blob(byte[] data) {
        SshPublicKey k;
        try {
            k = PARSER.parseBlob(data);
        } catch (InvalidInputException e) {
            return;
        }
        assertArrayEquals(data, k.blob());
        assertEquals("SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(Sha256.of(data)), k.fingerprint());
        if (!k.type().sshName().startsWith("sk-")) {
            // security-key types have no JCA form; every other accepted key must be usable and re-encode unchanged
            assertArrayEquals(data, JcaKeys.fromJca(JcaKeys.toJca(k)).blob());
        }
        SshPublicKey again = PARSER.parseLine(k.toOpenSsh());
        assertEquals(k, again);
    }

    /**
     * An accepted authorized_keys line (options, key, comment) written back in canonical form reads as the same
     * line again.
     */
    @FuzzTest
    void authorizedKeysLine(byte[] data) {
        String line = new String(data, StandardCharsets.UTF_8);
        Optional<AuthorizedKeyLine> parsed;
        try {
            parsed = AuthorizedKeyLine.parse(line, PARSER);
        } catch (InvalidInputException e) {
            return;
        }
        if (parsed.isEmpty()) {
            assertTrue(line.isBlank() || line.strip().startsWith("#"), "only blank lines and comments are skipped");
            return;
        }
        AuthorizedKeyLine l = parsed.get();
        assertEquals(line, l.raw());
        AuthorizedKeyLine again = AuthorizedKeyLine.parse(l.format(), PARSER).orElseThrow();
        assertEquals(l.options(), again.options());
        assertEquals(l.key(), again.key());
        assertEquals(l.key().comment(), again.key().comment());
        assertEquals(l.format(), again.format());
    }
}
