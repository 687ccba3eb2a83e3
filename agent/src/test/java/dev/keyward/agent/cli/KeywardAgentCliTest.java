package dev.keyward.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.agent.testing.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The agent's command line: help and version, and every kind of bad command line gets exit code 2 and one line
 * naming the problem, before anything is read or written.
 */
class KeywardAgentCliTest {
    @TempDir
    Path tmp;

    static CliRun run(String... args) {
        return CliRun.run(args);
    }

    @Test
    void helpAndVersion() {
        CliRun top = run("--help");
        assertEquals(0, top.code());
        for (String c : new String[] {"enroll", "once", "run", "status", "parse-log"}) {
            assertTrue(top.out().contains("  " + c + " "), top.out());
        }
        assertEquals("keyward-agent 0.1.0\n", run("--version").out());
        assertEquals("keyward-agent 0.1.0\n", run("once", "-V").out());
        CliRun once = run("once", "--help");
        assertEquals(0, once.code());
        for (String o : new String[] {"--state-file", "--krl-file", "--root", "--config", "--dry-run", "--set"}) {
            assertTrue(once.out().contains(o), o + " in " + once.out());
        }
        assertTrue(run("enroll", "--help").out().contains("--join-token-file"), "enroll's help despite its required option");
        assertTrue(run("parse-log", "-h").out().contains("parse-log FILE"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''|a command is required",
        "nope|unknown command 'nope'",
        "once --bogus|Unrecognized option: --bogus",
        "once --dry|Unrecognized option: --dry",
        "once extra|unexpected argument 'extra'",
        "once --root|Missing argument for option: root",
        "once --krl-file k|--krl-file goes with --state-file",
        "once --set novalue|--set expects KEY=VALUE",
        "run --max-cycles x|--max-cycles expects a whole number",
        "run --max-cycles -1|--max-cycles must be at least 0",
        "enroll|--join-token-file FILE is required",
        "status --json extra|unexpected argument 'extra'",
        "parse-log|expects one FILE, got 0",
        "parse-log a b|expects one FILE, got 2",
        "parse-log --repeat 0 f|--repeat must be at least 1",
    })
    void aBadCommandLineIsExitCode2WithOneClearLine(String line, String message) {
        CliRun r = run(line.isEmpty() ? new String[0] : line.split(" "));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(message), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void anUnknownConfigKeyIsAConfigurationError() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        CliRun r = run("status", "--root", root.toString(), "--set", "no_such_key=1");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("unknown key 'no_such_key'"), r.err());
    }

    @Test
    void parseLogCountsEventsAndPrintsEveryPass() throws Exception {
        Path log = Files.writeString(tmp.resolve("auth.log"),
                "Nov 29 10:05:07 web-01 sshd[42]: Accepted publickey for alice from 10.0.0.5 port 50022 ssh2:"
                        + " ED25519 SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n");
        CliRun r = run("parse-log", "--repeat", "3", log.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("events {accepted=1}"), r.out());
        assertTrue(r.out().matches("(?s).*passes \\(ms\\) \\[\\d+, \\d+, \\d+\\]\n"), r.out());
        CliRun missing = run("parse-log", tmp.resolve("none").toString());
        assertEquals(1, missing.code());
        assertEquals("keyward-agent: no such file: " + tmp.resolve("none") + "\n", missing.err());
    }
}
