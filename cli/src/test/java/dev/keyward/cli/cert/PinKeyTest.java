package dev.keyward.cli.cert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keyward.ca.InvalidInputException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PinKeyTest {
    @ParameterizedTest
    @CsvSource({
            "https://ca.example.com, https://ca.example.com:443",
            "HTTPS://CA.Example.COM:443/, https://ca.example.com:443",
            "https://ca.example.com./keyward//, https://ca.example.com:443",
            "https://ca.example.com:8443/a?x=1#f, https://ca.example.com:8443",
            "http://ca.example.com, http://ca.example.com:80",
            "http://127.0.0.1, http://localhost:80",
            "http://127.0.0.1:80, http://localhost:80",
            "http://127.3.4.5:8080/, http://localhost:8080",
            "http://LOCALHOST.:8080, http://localhost:8080",
            "http://[::1]:8080, http://localhost:8080",
            "http://[0:0:0:0:0:0:0:1]:8080, http://localhost:8080",
            "https://[2001:DB8::1], https://[2001:db8:0:0:0:0:0:1]:443",
            "https://[2001:db8:0::1]:443, https://[2001:db8:0:0:0:0:0:1]:443",
            "https://10.0.0.1, https://10.0.0.1:443",
            "http://[::ffff:127.0.0.2]:8080, http://localhost:8080",
            "https://[::ffff:10.0.0.1], https://10.0.0.1:443",
            "https://[FE80::1%25Zone9], https://[fe80::1%25zone9]:443",
            "https://localhost.example.com, https://localhost.example.com:443"})
    void oneKeyPerSchemeHostAndPort(String url, String key) {
        assertEquals(key, PinKey.of(url));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ca.example.com", "ftp://ca.example.com", "https://", "https://ca example.com", "x y"})
    void refusesWhatIsNotAServerUrl(String url) {
        assertThrows(InvalidInputException.class, () -> PinKey.of(url));
    }
}
