package dev.keyward.cli.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.InvalidInputException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ServerUrlTest {
    @ParameterizedTest
    @CsvSource({
            "https://ca.example.com, https://ca.example.com",
            "https://ca.example.com:8443/, https://ca.example.com:8443",
            "https://ca.example.com/keyward//, https://ca.example.com/keyward",
            "http://127.0.0.1:8080, http://127.0.0.1:8080",
            "http://127.3.4.5:8080, http://127.3.4.5:8080",
            "http://localhost:8080, http://localhost:8080",
            "http://[::1]:8080, http://[::1]:8080",
            "HTTPS://ca.example.com, https://ca.example.com"})
    void acceptsHttpsAndLoopbackHttp(String given, String expected) {
        assertEquals(expected, ServerUrl.parse(given, false).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://ca.example.com", "http://10.0.0.1:8080", "http://localhost.example.com",
            "http://127.0.0.1.nip.io"})
    void refusesPlainHttpToARemoteHostUnlessInsecureHttp(String url) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ServerUrl.parse(url, false));
        assertTrue(e.getMessage().contains("plain http to a remote host"), e.getMessage());
        assertEquals(url, ServerUrl.parse(url, true).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ca.example.com", "ftp://ca.example.com", "https://", "https://u:p@ca.example.com",
            "https://ca.example.com/?x=1", "https://ca.example.com/#f", "https://ca example.com",
            "https://ca.example.com:0", "https://ca.example.com:65536"})
    void refusesWhatIsNotAServerUrl(String url) {
        assertThrows(InvalidInputException.class, () -> ServerUrl.parse(url, true));
    }
}
