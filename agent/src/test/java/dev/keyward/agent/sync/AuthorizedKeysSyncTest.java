package dev.keyward.agent.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.agent.accounts.Passwd;
import dev.keyward.agent.config.AgentPaths;
import dev.keyward.agent.fs.ChangeSink;
import dev.keyward.agent.fs.SafeFiles;
import dev.keyward.agent.keys.KeyLine;
import dev.keyward.agent.protocol.AgentState;
import dev.keyward.agent.testing.TestRoot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthorizedKeysSyncTest {
    @TempDir
    Path tmp;
    TestRoot t;
    String k1;
    String k2;
    String k3;
    String k4;

    @BeforeEach
    void setUp() throws Exception {
        t = new TestRoot(tmp);
        t.account("alice");
        t.account("svc");
        k1 = t.newKey("k1");
        k2 = t.newKey("k2");
        k3 = t.newKey("k3");
        k4 = t.newKey("k4");
    }

    static String fp(String line) {
        return KeyLine.parse(line).orElseThrow().fingerprint();
    }

    static AgentState.DesiredKey key(String id, String line) {
        return new AgentState.DesiredKey(id, line, null, null, null, null);
    }

    static AgentState state(String mode, Map<String, AgentState.AccountState> accounts) {
        return new AgentState("h1", mode, accounts, new AgentState.Trust(List.of(), 1),
                new AgentState.KrlRef(1, "/api/v1/krl", null), null);
    }

    AuthorizedKeysSync.Result sync(AgentState s, List<String> breakGlass) throws Exception {
        SafeFiles files = new SafeFiles(new AgentPaths(tmp), false, ChangeSink.quiet());
        return new AuthorizedKeysSync(files, Passwd.read(new AgentPaths(tmp)), BreakGlass.of(breakGlass), 0.5, 2)
                .apply(new StateValidator().validate(s), Instant.now());
    }

    void userFile(String account, String content) throws Exception {
        Files.createDirectories(t.userFile(account).getParent());
        Files.writeString(t.userFile(account), content, StandardCharsets.ISO_8859_1);
    }

    @Test
    void managedModeWritesExactlyTheDesiredSetToTheKeywardFile() throws Exception {
        var keys = new ArrayList<>(List.of(key("1", k1),
                new AgentState.DesiredKey("2", null, List.of("from=\"10.0.0.0/8\"", "no-pty"),
                        k2.split(" ")[0] + " " + k2.split(" ")[1], "deploy key", null)));
        sync(state("managed", Map.of("svc", new AgentState.AccountState(keys, List.of()))), List.of());
        assertEquals(AuthorizedKeysSync.HEADER + k1 + "\nfrom=\"10.0.0.0/8\",no-pty " + k2.split(" ")[0] + " "
                + k2.split(" ")[1] + " deploy key\n", Files.readString(t.keywardFile("svc")));
        assertFalse(Files.exists(t.userFile("svc")), "managed mode never creates users' own files");
    }

    @Test
    void managedModePurgesOnlyListedKeysAndKeepsEveryOtherByte() throws Exception {
        // CRLF, comments, odd spacing, options, an unparseable line, invalid UTF-8 and no final newline
        String before = "# my keys\r\n" + k1 + "\n\n  command=\"/bin/echo hi\",no-pty " + k2 + "  \n"
                + "garbage line \u00ff\n" + k3 + " \u00e9t\u00e9\r\n# end";
        userFile("alice", before);
        var purge = List.of(new AgentState.PurgeEntry(fp(k2), "revoked", true));
        var r = sync(state("managed", Map.of("alice", new AgentState.AccountState(List.of(), purge))), List.of());
        String expected = "# my keys\r\n" + k1 + "\n\n" + "garbage line \u00ff\n" + k3 + " \u00e9t\u00e9\r\n# end";
        assertEquals(expected, Files.readString(t.userFile("alice"), StandardCharsets.ISO_8859_1));
        assertEquals(1, r.keysRemoved());
        assertEquals(before, Files.readString(t.userFile("alice").resolveSibling("authorized_keys.keyward-bak"),
                StandardCharsets.ISO_8859_1));
    }

    @Test
    void exclusiveModeMakesTheUsersFileExactlyTheDesiredSet() throws Exception {
        userFile("alice", k1 + "\n" + k2 + "\n");
        var keys = List.of(key("1", k1), key("3", k3));
        var purge = List.of(new AgentState.PurgeEntry(fp(k2), "unused", true));
        sync(state("exclusive", Map.of("alice", new AgentState.AccountState(keys, purge))), List.of());
        assertEquals(AuthorizedKeysSync.HEADER + k1 + "\n" + k3 + "\n", Files.readString(t.userFile("alice")));
    }

    @Test
    void reportOnlyChangesNothing() throws Exception {
        userFile("alice", k1 + "\n");
        Map<String, String> before = t.snapshot();
        var purge = List.of(new AgentState.PurgeEntry(fp(k1), "revoked", true));
        sync(state("report-only", Map.of("alice", new AgentState.AccountState(List.of(key("2", k2)), purge))), List.of());
        assertEquals(before, t.snapshot());
    }

    @Test
    void bulkPurgeGuardStopsUnconfirmedMassRemovalAndChangesNothing() throws Exception {
        userFile("alice", k1 + "\n" + k2 + "\n" + k3 + "\n");
        Map<String, String> before = t.snapshot();
        var purge = List.of(new AgentState.PurgeEntry(fp(k1), "unused", false),
                new AgentState.PurgeEntry(fp(k2), "unused", false));
        var s = state("managed", Map.of("alice", new AgentState.AccountState(List.of(key("4", k4)), purge)));
        BulkPurgeException e = assertThrows(BulkPurgeException.class, () -> sync(s, List.of()));
        assertTrue(e.getMessage().contains("alice (2 of 3)"), e.getMessage());
        assertEquals(before, t.snapshot(), "not even the keyward file was written");

        var confirmed = List.of(new AgentState.PurgeEntry(fp(k1), "unused", true),
                new AgentState.PurgeEntry(fp(k2), "unused", true));
        sync(state("managed", Map.of("alice", new AgentState.AccountState(List.of(key("4", k4)), confirmed))), List.of());
        assertEquals(k3 + "\n", Files.readString(t.userFile("alice")));
    }

    @Test
    void guardCatchesAServerThatSuddenlyManagesNothing() throws Exception {
        sync(state("managed", Map.of("svc", new AgentState.AccountState(List.of(key("1", k1), key("2", k2)), List.of()))),
                List.of());
        assertThrows(BulkPurgeException.class, () -> sync(state("managed", Map.of()), List.of()));
        assertTrue(Files.readString(t.keywardFile("svc")).contains(k1));
    }

    @Test
    void breakGlassKeysAreNeverRemoved() throws Exception {
        userFile("alice", k1 + "\n" + k2 + "\n");
        var purge = List.of(new AgentState.PurgeEntry(fp(k1), "revoked", true),
                new AgentState.PurgeEntry(fp(k2), "revoked", true));
        sync(state("managed", Map.of("alice", new AgentState.AccountState(List.of(), purge))), List.of(fp(k1)));
        assertEquals(k1 + "\n", Files.readString(t.userFile("alice")));

        // exclusive mode keeps it too, given as a key line this time
        sync(state("exclusive", Map.of("alice", new AgentState.AccountState(List.of(key("3", k3)), purge))),
                List.of(k1));
        assertEquals(AuthorizedKeysSync.HEADER + k3 + "\n" + k1 + "\n", Files.readString(t.userFile("alice")));
    }

    @Test
    void expiredDesiredKeysAreNotWrittenAndTheirRemovalNeedsNoConfirmation() throws Exception {
        var keys = List.of(key("1", k1), new AgentState.DesiredKey("2", k2, null, null, null, "2031-01-01T00:00:00Z"));
        sync(state("managed", Map.of("svc", new AgentState.AccountState(keys, List.of()))), List.of());
        assertTrue(Files.readString(t.keywardFile("svc")).contains(k2));
        var expired = List.of(key("1", k1), new AgentState.DesiredKey("2", k2, null, null, null, "2020-01-01T00:00:00+02:00"));
        sync(state("managed", Map.of("svc", new AgentState.AccountState(expired, List.of()))), List.of());
        assertEquals(AuthorizedKeysSync.HEADER + k1 + "\n", Files.readString(t.keywardFile("svc")));
    }

    @Test
    void invalidDocumentIsRejectedWhole() {
        var bad = new LinkedHashMap<String, AgentState.AccountState>();
        bad.put("alice", new AgentState.AccountState(List.of(key("1", k1)), List.of()));
        bad.put("svc", new AgentState.AccountState(List.of(key("2", "ssh-ed25519 AAAAnotakey")), List.of()));
        assertThrows(InvalidStateException.class, () -> new StateValidator().validate(state("managed", bad)));
        var traversal = Map.of("../etc", new AgentState.AccountState(List.of(), List.of()));
        assertThrows(InvalidStateException.class, () -> new StateValidator().validate(state("managed", traversal)));
        var injected = Map.of("alice", new AgentState.AccountState(List.of(key("1", k1 + "\n" + k2)), List.of()));
        assertThrows(InvalidStateException.class, () -> new StateValidator().validate(state("managed", injected)));
        assertThrows(InvalidStateException.class, () -> new StateValidator().validate(state("yolo", Map.of())));
    }

    @Test
    void aLargeDocumentIsCheckedOnTwoThreadsAndTheFirstErrorInItIsReported() throws Exception {
        var many = new LinkedHashMap<String, AgentState.AccountState>();
        for (int i = 0; i < 400; i++) {
            String line = i == 130 || i == 350 ? "ssh-ed25519 AAAAnotakey" : (i % 2 == 0 ? k1 : k2);
            many.put("user" + i, new AgentState.AccountState(List.of(key("k" + i, line)), List.of()));
        }
        InvalidStateException e = assertThrows(InvalidStateException.class,
                () -> new StateValidator().validate(state("managed", many)));
        assertTrue(e.getMessage().startsWith("account user130 key k130"), e.getMessage());
        many.put("user130", new AgentState.AccountState(List.of(key("k130", k3)), List.of()));
        many.put("user350", new AgentState.AccountState(List.of(key("k350", k4)), List.of()));
        var ok = new StateValidator().validate(state("managed", many));
        assertEquals(List.copyOf(many.keySet()), List.copyOf(ok.accounts().keySet()), "document order kept");
        assertEquals(k3, ok.accounts().get("user130").keys().get(0).line());
    }

    @Test
    void filesStagedWhilePlanningAreRemovedWhenTheGuardStopsTheCycle() throws Exception {
        sync(state("managed", Map.of("svc", new AgentState.AccountState(List.of(key("1", k1)), List.of()))), List.of());
        userFile("alice", k1 + "\n" + k2 + "\n" + k3 + "\n");
        Map<String, String> before = t.snapshot();
        var accounts = new LinkedHashMap<String, AgentState.AccountState>();
        accounts.put("svc", new AgentState.AccountState(List.of(key("1", k1), key("4", k4)), List.of())); // an update
        accounts.put("alice", new AgentState.AccountState(List.of(key("5", k4)), List.of( // a new keyward file
                new AgentState.PurgeEntry(fp(k1), "unused", false), new AgentState.PurgeEntry(fp(k2), "unused", false))));
        assertThrows(BulkPurgeException.class, () -> sync(state("managed", accounts), List.of()));
        assertEquals(before, t.snapshot(), "alice's new file was staged, then removed: no temp file is left");
        try (var names = Files.list(t.keywardFile("svc").getParent())) {
            assertEquals(List.of("svc"), names.map(x -> x.getFileName().toString()).toList());
        }
    }
}
