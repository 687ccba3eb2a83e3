package dev.keyward.ca.cert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.testing.Cmd;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SourceAddresses} against OpenSSH's own {@code addr_match_cidr_list}: {@code ssh-keygen -s -O
 * source-address=LIST} runs the same check sshd runs on a certificate (auth-options.c) and refuses what it refuses.
 * {@link SourceAddressSshdTest} checks the named cases against a real sshd login.
 */
class SourceAddressesTest {
    @TempDir
    static Path dir;
    static Path caKey;
    static Path userPub;

    /** Lists OpenSSH accepts (with what they mean) and refuses; the cases from the differential test come first. */
    static final List<String> TABLE = List.of(
            "::ffff:10.0.0.0/8", "::ffff:0:0/96", "::ffff:127.0.0.0/104", "::ffff:10.0.0.0/104", "::ffff:10.0.0.1",
            "10.0.0.0/8", "10.0.0.1/8", "0.0.0.0/0", "0/0", "::/0", "1.2.3.4/32", "1.2.3.4/33", "::1/128", "::1/129",
            "1.2.3.4/0", "127.0.0.1", "::1", "fe80::/10", "fe80::1/10", "2001:db8::/32", "2001:DB8::/32",
            "010.0.0.0/8", "0177.0.0.1", "127.1", "127.1/32", "10.0/8", "10/8", "00", "037777777777", "4294967295",
            "4294967296", "08.0.0.0", "0x0a.0.0.0", "1.2.3.256", "1.2.65535", "1.2.65536", "1.16777215", "1.2.3",
            "1.2.3.4/032", "1.2.3.4/0000000000000000000000000000000000000032", "1.2.3.4/", "/8", "1.2.3.4/8/8",
            "1.2.3.4/-0", "1.2.3.4/+8", "1.2.3.4/a", "1.2.3.4/2147483648", "::/2147483647",
            " 1.2.3.4", "1.2.3.4 ", "1.2.3.4\t", "1.2.3.4,,5.6.7.8", "", ",", "1.2.3.4,", ",1.2.3.4",
            "1.2.3.4,5.6.7.0/24,::1", "10.0.0.0/8,::ffff:10.0.0.0/8", "example.com", "localhost", "*", "!10.0.0.1",
            "fe80::1%1", "0000000000000000000000000000000000000000000000001",
            "00000000000000000000000000000000000000000000000001", "::ffff:1.2.3.4", "::ffff:01.2.3.4",
            "::ffff:1.2.3", "::1.2.3.4", "::1.2.3.4:5", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1::2::3",
            "1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7", "1:2:3:4:5:6:1.2.3.4",
            "1:2:3:4:5:6:7:1.2.3.4", "1:2:3:4:5::1.2.3.4", "::", ":::", ":1::", "1:", "::1:", "1::", "fffff::",
            "00001::", "0:0:0:0:0:ffff:a00:0/104", "1.2.3.4.5", "1.", ".1", "1..2", "0400.0.0.0", "0377.0377.0377.0377",
            "255.255.255.255/32", "256.0.0.0/8");

    @BeforeAll
    static void keys() {
        caKey = Cmd.sshKeygen(dir, "ca", "ed25519", 0);
        userPub = Path.of(Cmd.sshKeygen(dir, "user", "ed25519", 0) + ".pub");
    }

    /** Whether ssh-keygen signs a certificate with this source-address (it refuses what sshd would refuse). */
    static boolean opensshAccepts(String list) {
        Cmd.Result r = Cmd.run(List.of("ssh-keygen", "-q", "-s", caKey.toString(), "-I", "x", "-n", "p",
                "-O", "source-address=" + list, userPub.toString()));
        return r.exitCode() == 0;
    }

    static boolean weAccept(String list) {
        try {
            SourceAddresses.parse(list);
            return true;
        } catch (InvalidInputException e) {
            assertTrue(!e.getMessage().isBlank() && !e.getMessage().contains("\n"), e.getMessage());
            return false;
        }
    }

    @Test
    void acceptsExactlyWhatOpenSshAcceptsOnTheTable() {
        List<String> disagreements = new ArrayList<>();
        for (String list : TABLE) {
            if (weAccept(list) != opensshAccepts(list)) {
                disagreements.add("'" + list + "' (we " + (weAccept(list) ? "accept" : "refuse") + ")");
            }
        }
        assertEquals(List.of(), disagreements);
    }

    @Test
    void acceptsExactlyWhatOpenSshAcceptsOnRandomLists() {
        String[] pieces = {"0", "1", "9", "00", "01", "10", "127", "255", "256", "4294967295", "ffff", "FFFF", "a",
                "db8", "12345", ".", ".", ".", ":", ":", "::", "/", "/", "/0", "/8", "/32", "/96", "/104", "/128", ",",
                " ", "x", "g", "%", "-", "::ffff:", "0.0.0.0", "10.0.0.0", "1.2.3.4"};
        Random rnd = new Random(20260301);
        List<String> disagreements = new ArrayList<>();
        int accepted = 0;
        for (int i = 0; i < 400; i++) {
            StringBuilder sb = new StringBuilder();
            int n = 1 + rnd.nextInt(7);
            for (int k = 0; k < n; k++) {
                sb.append(pieces[rnd.nextInt(pieces.length)]);
            }
            String list = sb.toString();
            boolean openssh = opensshAccepts(list);
            accepted += openssh ? 1 : 0;
            if (weAccept(list) != openssh) {
                disagreements.add("'" + list + "' (OpenSSH " + (openssh ? "accepts" : "refuses") + ")");
            }
        }
        assertEquals(List.of(), disagreements);
        assertTrue(accepted > 20, "the random lists reach valid entries too: " + accepted);
    }

    /** Issuing refuses only the IPv4 text sshd reads otherwise than as dotted decimal. */
    @Test
    void issuanceRefusesOnlyAmbiguousIpv4Forms() {
        List<String> stricter = new ArrayList<>();
        for (String list : TABLE) {
            boolean issued;
            try {
                SourceAddresses.validate(list);
                issued = true;
            } catch (InvalidInputException e) {
                issued = false;
            }
            assertTrue(!issued || weAccept(list), list + " issued although sshd refuses it");
            if (weAccept(list) && !issued) {
                stricter.add(list);
            }
        }
        assertEquals(List.of("010.0.0.0/8", "0177.0.0.1", "127.1", "127.1/32", "037777777777", "4294967295",
                "1.2.65535", "1.16777215", "1.2.3", "0000000000000000000000000000000000000000000000001",
                "0377.0377.0377.0377"), stricter);
        SourceAddresses.validate("10.0/8,0/0,00,::ffff:0:0/96,::ffff:127.0.0.0/104"); // same meaning both ways
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> SourceAddresses.validate("10.0.0.0/8,010.0.0.0/8"));
        assertTrue(e.getMessage().contains("'010.0.0.0/8'") && e.getMessage().contains("octal"), e.getMessage());
    }

    @Test
    void readsAddressesAsSshdDoes() {
        assertNetwork("0177.0.0.1", new byte[] {127, 0, 0, 1}, 32);
        assertNetwork("127.1", new byte[] {127, 0, 0, 1}, 32);
        assertNetwork("010.0.0.0/8", new byte[] {8, 0, 0, 0}, 8);
        assertNetwork("1.2.65535", new byte[] {1, 2, (byte) 255, (byte) 255}, 32);
        assertNetwork("::ffff:127.0.0.0/104", new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff,
                127, 0, 0, 0}, 104);
        assertNetwork("1:2:3:4:5:6:7::", new byte[] {0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0}, 128);
        assertNetwork("1.2.3.4/032", new byte[] {1, 2, 3, 4}, 32);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> SourceAddresses.parse("::ffff:10.0.0.0/8"));
        assertTrue(e.getMessage().contains("host bits") && e.getMessage().contains("IPv4-mapped"), e.getMessage());
    }

    private static void assertNetwork(String entry, byte[] address, int prefix) {
        SourceAddresses.Network n = SourceAddresses.parse(entry).get(0);
        assertArrayEquals(address, n.address(), entry);
        assertEquals(prefix, n.prefix(), entry);
    }
}
