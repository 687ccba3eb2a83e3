package dev.keyward.ca.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What another process sees on a token: {@code pkcs11-tool --list-objects} logged in as the user. Only token
 * objects (CKA_TOKEN=true) outlive the session that made them, so whatever this lists is persistent.
 */
public final class TokenObjects {
    private TokenObjects() {
    }

    /**
     * A private key object as pkcs11-tool describes it.
     *
     * @param label  CKA_LABEL
     * @param id     CKA_ID in lower-case hex
     * @param usage  e.g. {@code sign}, {@code derive}
     * @param access e.g. {@code sensitive}, {@code never extractable}; {@code extractable} appears only when
     *               CKA_EXTRACTABLE is true
     */
    public record PrivateKey(String label, String id, Set<String> usage, Set<String> access) {
    }

    /** The private key objects of {@code token}; the user PIN goes to pkcs11-tool through the environment. */
    public static List<PrivateKey> privateKeys(SoftHsm.Token token) {
        String out = SoftHsm.run(Map.of("KEYWARD_TEST_USER_PIN", token.userPin()), List.of("pkcs11-tool", "--module",
                token.modulePath().toString(), "--token-label", token.label(), "--login", "--pin",
                "env:KEYWARD_TEST_USER_PIN", "--list-objects", "--type", "privkey"));
        List<PrivateKey> keys = new ArrayList<>();
        String[] blocks = out.split("(?m)^Private Key Object");
        for (int i = 1; i < blocks.length; i++) { // blocks[0] is whatever precedes the first object
            Map<String, String> fields = new HashMap<>();
            for (String line : blocks[i].split("\n")) {
                int colon = line.indexOf(':');
                if (line.startsWith("  ") && colon > 0) {
                    fields.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
                }
            }
            keys.add(new PrivateKey(fields.get("label"), fields.getOrDefault("ID", "").toLowerCase(Locale.ROOT),
                    items(fields.getOrDefault("Usage", "")), items(fields.getOrDefault("Access", ""))));
        }
        return keys;
    }

    private static Set<String> items(String list) {
        return Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }
}
