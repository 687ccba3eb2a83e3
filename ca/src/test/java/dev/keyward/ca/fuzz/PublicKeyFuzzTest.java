package dev.keyward.ca.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;

class PublicKeyFuzzTest {
    private static final PublicKeyParser PARSER = PublicKeyParser.withDefaults();

    @FuzzTest
    void blob(byte[] data) {
        SshPublicKey k;
        try {
            k = PARSER.parseBlob(data);
        } catch (InvalidInputException e) {
            return;
        }
        assertArrayEquals(data, k.blob());
    }
}
