package dev.keyward.ca.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.AuthorizedKeyLine;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.Sshd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential test of authorized_keys options against a real sshd: for each options string, what
 * {@link AuthorizedKeyLine#parse} (and so {@code POST /authorized-keys}) accepts must let a login from 127.0.0.1
 * through, and what it refuses must be a line through which sshd lets nobody in (sshd skips a line whose
 * options it cannot parse). A forced command shows that an accepted option is honoured, not just tolerated.
 */
class AuthorizedKeyOptionsSshdTest {
    static final String USER = Sshd.currentUser();

    @TempDir
    static Path tmp;
    static Sshd sshd;
    static Path key;
    static Path authorizedKeys;

    @BeforeAll
    static void start() throws Exception {
        key = Cmd.sshKeygen(tmp, "id_ed25519", "ed25519", 0);
        Path dir = Files.createDirectories(tmp.resolve("authorized_keys"));
        authorizedKeys = dir.resolve(USER);
        Files.writeString(authorizedKeys, "");
        sshd = Sshd.start(tmp.resolve("sshd"), null, List.of("AuthorizedKeysFile " + dir + "/%u"));
    }

    @AfterAll
    static void stop() {
        if (sshd != null) {
            sshd.close();
        }
    }

    /** Options that a login from 127.0.0.1 with a plain key passes through when sshd accepts the line. */
    static final List<String> ACCEPTED = List.of(
            "no-pty", "NO-PTY", "pty", "restrict", "restrict,pty", "no-agent-forwarding", "Agent-Forwarding",
            "no-port-forwarding,no-X11-forwarding,no-user-rc", "port-forwarding,x11-forwarding,user-rc",
            "no-touch-required", "expiry-time=\"20991231\"", "expiry-time=\"209912312359Z\"",
            "Expiry-Time=\"20991231235959UTC\"", "environment=\"FOO_1=bar baz\"", "permitopen=\"localhost:8080\"",
            "permitopen=\"[::1]:22\"", "permitopen=\"127.0.0.1/80\"", "permitlisten=\"8080\"",
            "permitlisten=\"localhost:*\"", "tunnel=\"any\"", "tunnel=\"3\"", "from=\"127.0.0.1\"",
            "from=\"127.0.0.0/8,!10.0.0.1\"", "from=\"127.0.0.*,::1\"", "command=\"true\"",
            "command=\"echo \\\"quoted\\\"\"");

    /** Options sshd refuses (the line is skipped) or that make sshd refuse every login through the line. */
    static final List<String> REFUSED = List.of(
            "frobnicate", "no-restrict", "no-cert-authority-x", "pty=\"yes\"", "ptyx", "command=true",
            "command=\"true\"x", "command=\"a\",command=\"b\"", "from=\"127.0.0.1\",from=\"127.0.0.1\"",
            "expiry-time=\"20991301\"", "expiry-time=\"2099\"",
            "expiry-time=\"209912312460\"", "environment=\"NOEQUALS\"", "environment=\"BAD NAME=x\"",
            "environment=\"=x\"", "permitopen=\"localhost\"", "permitopen=\"localhost:0\"",
            "permitopen=\"localhost:99999\"", "permitopen=\"[::1]\"", "permitlisten=\"0\"", "tunnel=\"x\"",
            "tunnel=\"99999999999\"", "from=\"127.0.0.1/8\"", "from=\"127.0.0.0/33\"", "from=\"127.0.0.1,,::1\"",
            "command");

    /**
     * Deliberately stricter: sshd reads a date that does not exist as another day (strptime takes 30 February,
     * mktime makes it 2 March) and looks ports up in the host's /etc/services; Keyward refuses both.
     */
    static final List<String> STRICTER = List.of("expiry-time=\"20990230\"", "permitopen=\"localhost:ssh\"");

    @Test
    void whatTheValidatorAcceptsSshdHonoursAndWhatItRefusesLetsNobodyIn() throws Exception {
        String pub = Files.readString(Path.of(key + ".pub")).strip();
        List<String> disagreements = new ArrayList<>();
        for (String options : ACCEPTED) {
            expect(disagreements, options + " " + pub, true, true);
        }
        for (String options : REFUSED) {
            expect(disagreements, options + " " + pub, false, false);
        }
        for (String options : STRICTER) {
            expect(disagreements, options + " " + pub, false, true);
        }
        assertEquals(List.of(), disagreements);
    }

    /** Records where the validator's or sshd's verdict on {@code line} is not the expected one. */
    static void expect(List<String> disagreements, String line, boolean validatorAccepts, boolean sshdLetsIn)
            throws Exception {
        boolean accepted;
        try {
            AuthorizedKeyLine.parse(line, PublicKeyParser.withDefaults());
            accepted = true;
        } catch (InvalidInputException e) {
            assertTrue(e.getMessage().contains("option"), e.getMessage());
            accepted = false;
        }
        boolean in = login(line).exitCode() == 0;
        String options = line.substring(0, line.indexOf(" ssh-"));
        if (accepted != validatorAccepts) {
            disagreements.add((accepted ? "accepted" : "refused") + " by the validator: " + options);
        }
        if (in != sshdLetsIn) {
            disagreements.add("sshd " + (in ? "let the login through" : "refused the login") + ": " + options);
        }
    }

    @Test
    void anAcceptedForcedCommandIsWhatSshdRuns() throws Exception {
        String pub = Files.readString(Path.of(key + ".pub")).strip();
        String line = "Command=\"echo honoured\",no-pty " + pub;
        AuthorizedKeyLine.parse(line, PublicKeyParser.withDefaults());
        Cmd.Result r = login(line);
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("honoured", r.stdout().strip(), "the forced command ran instead of 'true'");
    }

    static Cmd.Result login(String line) throws Exception {
        Files.writeString(authorizedKeys, line + "\n");
        return sshd.login(USER, key, null, null);
    }
}
