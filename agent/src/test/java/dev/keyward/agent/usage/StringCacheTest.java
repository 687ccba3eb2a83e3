package dev.keyward.agent.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StringCacheTest {
    @Test
    void givesTheBytesAsTextAndTheSameInstanceForTheSameBytes() {
        StringCache c = new StringCache();
        byte[] b = "xx SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG alice \u00e9t\u00e9".getBytes(
                StandardCharsets.ISO_8859_1);
        String fp = c.get(b, 3, 53);
        assertEquals("SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", fp);
        assertSame(fp, c.get(b.clone(), 3, 53));
        assertEquals("alice", c.get(b, 54, 59));
        assertEquals("\u00e9t\u00e9", c.get(b, 60, 63));
        assertEquals("", c.get(b, 5, 5));
        // many distinct values sharing slots: always the right text
        for (int i = 0; i < 50_000; i++) {
            byte[] k = ("user" + i).getBytes(StandardCharsets.US_ASCII);
            assertEquals("user" + i, c.get(k, 0, k.length));
            byte[] l = ("SHA256:" + "q".repeat(i % 40) + i).getBytes(StandardCharsets.US_ASCII);
            assertEquals("SHA256:" + "q".repeat(i % 40) + i, c.get(l, 0, l.length));
        }
    }
}
