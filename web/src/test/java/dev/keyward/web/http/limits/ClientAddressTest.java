package dev.keyward.web.http.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keyward.web.config.Cidr;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which address the per-source limits count: the peer, or the client a trusted proxy names. */
class ClientAddressTest {
    private final ClientAddress none = new ClientAddress(List.of());
    private final ClientAddress proxied = new ClientAddress(List.of(Cidr.parse("t", "10.1.0.0/16"),
            Cidr.parse("t", "2001:db8:ffff::/48")));

    @Test
    void withoutTrustedProxiesTheHeaderIsIgnored() {
        assertEquals("192.0.2.1", none.resolve("192.0.2.1", List.of("198.51.100.7")));
    }

    @Test
    void anUntrustedPeerCannotNameAnotherClient() {
        assertEquals("192.0.2.1", proxied.resolve("192.0.2.1", List.of("198.51.100.7")));
    }

    @Test
    void behindTrustedProxiesTheRightmostUntrustedHopIsTheClient() {
        assertEquals("198.51.100.7", proxied.resolve("10.1.2.3", List.of("203.0.113.9, 198.51.100.7")));
        assertEquals("198.51.100.7", proxied.resolve("10.1.2.3", List.of("203.0.113.9", "198.51.100.7, 10.1.9.9")));
        assertEquals("198.51.100.7", proxied.resolve("10.1.2.3", List.of("198.51.100.7:4711")));
        assertEquals("10.1.2.3", proxied.resolve("10.1.2.3", List.of()), "no header: the proxy itself");
        assertEquals("10.1.9.9", proxied.resolve("10.1.2.3", List.of("evil.example, 10.1.9.9")),
                "garbage stops the walk at the last trusted hop");
        assertEquals("10.1.2.3", proxied.resolve("10.1.2.3", List.of("unknown")));
    }

    @Test
    void anIpv6ClientCountsAsItsSlash64() {
        assertEquals("2001:db8:1:2:0:0:0:0/64", none.resolve("2001:db8:1:2:aaaa::1", List.of()));
        assertEquals(none.resolve("[2001:db8:1:2::9]", List.of()), none.resolve("2001:db8:1:2:ffff::", List.of()));
        assertEquals("2001:db8:1:3:0:0:0:0/64", proxied.resolve("2001:db8:ffff::1", List.of("[2001:db8:1:3::5]")));
    }

    /**
     * Found by ServerConfigFuzzTest: "410.0.0.0" in trusted_proxies (or in an X-Forwarded-For a trusted proxy passes
     * on) went to DNS as a host name, and "010.0.0.1" escaped as an IllegalArgumentException.
     */
    @Test
    void textThatIsNoAddressIsNeitherLookedUpNorAnError() {
        dev.keyward.web.fuzz.NameLookups.refuse();
        try {
            for (String s : List.of("410.0.0.0", "010.0.0.1", "1.2.3.256", ".:", "999.999.999.999", "1.2.3.4.5")) {
                assertEquals(null, ClientAddress.parse(s), s);
                assertEquals(null, Cidr.literal(s), s);
                org.junit.jupiter.api.Assertions.assertThrows(dev.keyward.web.config.ConfigException.class,
                        () -> Cidr.parse("http.limits.trusted_proxies", s + "/8"), s);
            }
            assertEquals("10.0.0.1", Cidr.literal("10.0.0.1").getHostAddress());
            assertEquals("0.0.0.0", Cidr.literal("0.0.0.0").getHostAddress());
            assertEquals(List.of(), dev.keyward.web.fuzz.NameLookups.takeAttempts(), "asked DNS");
        } finally {
            dev.keyward.web.fuzz.NameLookups.allow();
        }
    }
}
