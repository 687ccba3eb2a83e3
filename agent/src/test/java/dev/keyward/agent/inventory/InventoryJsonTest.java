package dev.keyward.agent.inventory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.keyward.agent.protocol.InventoryKey;
import dev.keyward.agent.protocol.Json;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written inventory JSON must be Jackson's, byte for byte: the inventory hash is taken over it. */
class InventoryJsonTest {
    @Test
    void sameBytesAsJackson() {
        List<InventoryKey> keys = new ArrayList<>();
        keys.add(new InventoryKey("root", "/root/.ssh/authorized_keys", 1, "user", "ssh-ed25519", 256,
                "SHA256:abc", "me@host", List.of("from=\"10.0.0.0/8\"", "no-pty", "command=\"a\\\"b\""), ""));
        keys.add(new InventoryKey("a\"\\\n\t\b\f\r\u0001\u001f\u007f/é€😀", null, 7, "keyward", "ssh-dss", -1,
                "SHA256:x", "", List.of(), "DSA keys"));
        keys.add(new InventoryKey("u", "f", 1, "user", "t", 2048, "fp", null, null, null));
        Random r = new Random(7);
        for (int i = 0; i < 2000; i++) {
            char[] c = new char[r.nextInt(12)];
            for (int j = 0; j < c.length; j++) {
                int kind = r.nextInt(4);
                c[j] = (char) (kind == 0 ? r.nextInt(0x80) : kind == 1 ? r.nextInt(0x800) : kind == 2 ? 0x20 + r.nextInt(0x5f)
                        : r.nextInt(0xD800));
            }
            String s = new String(c);
            keys.add(new InventoryKey(s, s + "/f", i, "user", s, i - 1000, s, s, List.of(s, s + s), s));
        }
        assertArrayEquals(Json.write(keys), InventoryJson.write(keys));
        assertArrayEquals(Json.write(List.of()), InventoryJson.write(List.of()));
        assertArrayEquals(Json.write(keys.subList(0, 1)), InventoryJson.write(keys.subList(0, 1)));
        assertArrayEquals(Json.write(Arrays.asList(keys.get(2))), InventoryJson.write(List.of(keys.get(2))));
    }
}
