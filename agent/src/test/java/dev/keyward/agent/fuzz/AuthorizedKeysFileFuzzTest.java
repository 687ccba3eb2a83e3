package dev.keyward.agent.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keyward.agent.keys.KeyLine;
import dev.keyward.agent.keys.RawLines;
import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.AuthorizedKeyLine;
import dev.keyward.ca.key.PublicKeyParser;
import java.util.List;
import java.util.Optional;

/**
 * A local user's authorized_keys file, which the agent reads (inventory, purge) and rewrites without touching
 * lines it does not remove. Only {@link InvalidInputException} may escape the line reader.
 */
class AuthorizedKeysFileFuzzTest {
    private static final PublicKeyParser STRICT = PublicKeyParser.withDefaults();
    private static final java.util.regex.Pattern KEY_TYPE_PREFIX =
            java.util.regex.Pattern.compile("ssh-|ecdsa-sha2-|sk-ssh-|sk-ecdsa-|rsa-sha2-(256|512)$");

    /**
     * Splitting into lines and joining them gives the file back byte for byte; every line the CA's strict reader
     * accepts, the agent's lenient one reads as the same options, key and comment, without a policy problem.
     */
    @FuzzTest
    void file(byte[] data) {
        List<RawLines.Line> lines = RawLines.split(data);
        assertArrayEquals(data, RawLines.join(lines));
        for (RawLines.Line raw : lines) {
            assertTrue(raw.text().indexOf('\n') < 0);
            String text = raw.utf8();
            Optional<KeyLine> lenient;
            try {
                lenient = KeyLine.parse(text);
            } catch (InvalidInputException e) {
                lenient = null;
            }
            Optional<AuthorizedKeyLine> strict;
            try {
                strict = AuthorizedKeyLine.parse(text, STRICT);
            } catch (InvalidInputException e) {
                continue;
            }
            if (lenient == null && strict.isPresent() && !strict.get().options().isEmpty()
                    && KEY_TYPE_PREFIX.matcher(strict.get().options().get(0)).lookingAt()) {
                // the agent reads a first word that begins like a key type as one (no option is named so, and
                // sshd refuses such an option name too); the CA keeps any option name verbatim
                continue;
            }
            assertTrue(lenient != null, () -> "the agent refuses a line the CA accepts: " + text);
            assertEquals(strict.isPresent(), lenient.isPresent(), text);
            if (strict.isPresent()) {
                KeyLine k = lenient.get();
                AuthorizedKeyLine s = strict.get();
                assertEquals(s.options(), k.options(), text);
                assertArrayEquals(s.key().blob(), k.blob(), text);
                assertEquals(s.key().type().sshName(), k.type(), text);
                assertEquals(s.key().comment(), k.comment(), text);
                assertEquals(s.key().fingerprint(), k.fingerprint(), text);
                assertEquals(s.key().bits(), k.bits(), text);
                assertEquals("", k.problem(), text);
            }
        }
    }
}
