package dev.keyward.ca.cert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.sign.CaAlgorithm;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.Signers;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.Sshd;
import dev.keyward.ca.testing.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code source-address} against a real sshd certificate login from 127.0.0.1: sshd accepts a certificate whose list
 * {@link SourceAddresses#parse} accepts, and refuses the others (the bulk of the table is checked against ssh-keygen
 * in {@link SourceAddressesTest}). Certificates are signed as read, bypassing the issuance rules, so that sshd sees
 * also the lists Keyward refuses to issue.
 */
class SourceAddressSshdTest {
    @TempDir
    static Path tmp;
    static CaSigner ca;
    static Sshd sshd;
    static Path key;
    static final String USER = Sshd.currentUser();

    @BeforeAll
    static void start() throws Exception {
        ca = Signers.create("file:" + tmp.resolve("ca"), CaAlgorithm.ED25519, SecretSource.of(Map.of()));
        Path trusted = Files.writeString(tmp.resolve("trusted"), ca.publicKey().toOpenSsh() + "\n");
        sshd = Sshd.start(tmp.resolve("sshd"), null, List.of("TrustedUserCAKeys " + trusted));
        key = Cmd.sshKeygen(tmp, "id", "ed25519", 0);
    }

    @AfterAll
    static void stop() {
        if (sshd != null) {
            sshd.close();
        }
        if (ca != null) {
            ca.close();
        }
    }

    private static boolean sshdLetsIn(Certificate.Builder b) throws Exception {
        long now = System.currentTimeMillis() / 1000;
        Certificate cert = b.key(TestKeys.read(Path.of(key + ".pub"))).serial(1).type(CertType.USER).keyId("sa")
                .principal(USER).validity(now - 60, now + 600).defaultUserExtensions().buildAsRead(List.of());
        Path certFile = Files.writeString(Files.createTempDirectory(tmp, "c").resolve("id-cert.pub"),
                CertificateCodec.sign(cert, ca).toOpenSsh() + "\n");
        return sshd.login(USER, key, certFile, null).exitCode() == 0;
    }

    private static boolean sshdLetsIn(String sourceAddress) throws Exception {
        return sshdLetsIn(Certificate.builder().criticalOption(CertOptions.SOURCE_ADDRESS, sourceAddress));
    }

    private static boolean weAccept(String list) {
        try {
            SourceAddresses.parse(list);
            return true;
        } catch (InvalidInputException e) {
            return false;
        }
    }

    /** Each entry followed by 127.0.0.1/32: if sshd accepts the list at all, the login from 127.0.0.1 matches. */
    @Test
    void sshdAcceptsACertificateExactlyWhenWeAcceptItsSourceAddress() throws Exception {
        List<String> disagreements = new ArrayList<>();
        for (String entry : List.of("::ffff:10.0.0.0/8", "::ffff:0:0/96", "::ffff:127.0.0.0/104", "::ffff:10.0.0.0/104",
                "0.0.0.0/0", "::/0", "10.0.0.1/8", "10.0.0.0/33", "::1/129", "010.0.0.0/8", "08.0.0.0", "127.1",
                "1.2.3.4/032", "4294967296", "00001::", "::ffff:01.2.3.4", "example.com", "10.0.0.0/8 ")) {
            String list = entry + ",127.0.0.1/32";
            boolean sshdAccepts = sshdLetsIn(list);
            if (sshdAccepts != weAccept(list)) {
                disagreements.add("'" + list + "' (sshd " + (sshdAccepts ? "accepts" : "refuses") + ")");
            }
        }
        assertEquals(List.of(), disagreements, sshd.log());
        assertEquals(false, sshdLetsIn(",127.0.0.1/32"), "an empty entry");
        assertEquals(false, sshdLetsIn("127.0.0.1/32,"), "an empty last entry");
    }

    /** Why issuing refuses octal and shortened IPv4: sshd reads 0177.0.0.1 and 127.1 as 127.0.0.1. */
    @Test
    void sshdReadsOctalAndShortenedIpv4AsInetAton() throws Exception {
        assertEquals(true, sshdLetsIn("0177.0.0.1/32"), sshd.log());
        assertEquals(true, sshdLetsIn("127.1"), sshd.log());
        assertEquals(false, sshdLetsIn("127.0.0.2/32"), "the source address is checked");
        assertThrows(InvalidInputException.class, () -> SourceAddresses.validate("0177.0.0.1/32"));
        assertThrows(InvalidInputException.class, () -> SourceAddresses.validate("127.1"));
    }

    /** The cases from the differential test, through the issuing builder. */
    @Test
    void keywardIssuesWhatSshdAcceptsAndRefusesWhatItRefuses() throws Exception {
        Certificate.Builder issued = Certificate.builder().criticalOption(CertOptions.SOURCE_ADDRESS,
                "::ffff:0:0/96,::ffff:127.0.0.0/104,127.0.0.0/8");
        long now = System.currentTimeMillis() / 1000;
        issued.key(TestKeys.read(Path.of(key + ".pub"))).serial(2).type(CertType.USER).keyId("sa").principal(USER)
                .validity(now - 60, now + 600).defaultUserExtensions().build(); // issuable
        assertEquals(true, sshdLetsIn(issued));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Certificate.builder()
                .key(TestKeys.read(Path.of(key + ".pub"))).serial(3).type(CertType.USER).keyId("sa").principal(USER)
                .validity(now - 60, now + 600).criticalOption(CertOptions.SOURCE_ADDRESS, "::ffff:10.0.0.0/8").build());
        assertEquals(true, e.getMessage().contains("host bits"), e.getMessage());
    }
}
