package dev.keyward.web.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.sign.CaAlgorithm;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.Signers;
import dev.keyward.ca.sign.SshSig;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.SoftHsm;
import dev.keyward.ca.testing.TestKeys;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.ServerCli;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audit checkpoints against a database administrator: the audit key in a SoftHSM2 token signs the chain's head,
 * the checkpoint goes to the database and the sink file, and {@code audit verify} (HTTP and CLI) catches the
 * newest entries deleted, the whole chain rewritten with recomputed hashes, and checkpoints forged with another
 * key; {@code ssh-keygen -Y verify} accepts the sink's lines on its own.
 */
class AuditCheckpointsTest {
    @TempDir
    static Path shared;
    static String auditKeyUri;
    static SshPublicKey auditKey;

    @TempDir
    Path dir;

    @BeforeAll
    static void auditKeyInAToken() {
        SoftHsm.Token token = SoftHsm.newToken();
        auditKeyUri = token.uri("audit-key").toString();
        try (CaSigner k = Signers.create(auditKeyUri, CaAlgorithm.ECDSA_P256, SecretSource.of(Map.of()))) {
            auditKey = k.publicKey();
        }
    }

    private TestServer start(String auditYaml) {
        return TestServer.start(dir.resolve("home"), TestDatabases.create(), "audit:\n  key: \"" + auditKeyUri
                + "\"\n  checkpoint_every: 5\n  checkpoint_interval: 1h\n" + auditYaml);
    }

    private void issue(TestServer s, String engineer, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            String key = Files.readString(TestKeys.publicKeyFile(dir, "k" + System.nanoTime(), "ed25519"));
            Api.Resp r = s.api().post("/api/v1/certs/user", engineer, Map.of("public_key", key));
            assertEquals(201, r.status(), r.toString());
        }
    }

    /** Has the head checkpointed (by this call, or by the server's own thread just before); returns its seq. */
    private static long checkpointNow(TestServer s) throws Exception {
        s.server().services().checkpoints().checkpointNow();
        String[] head = head(s.db());
        try (Connection c = s.db().connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT max(seq) FROM audit_checkpoints WHERE kind = 'checkpoint'")) {
            rs.next();
            assertEquals(Long.parseLong(head[0]), rs.getLong(1), "a checkpoint covers the head");
        }
        return Long.parseLong(head[0]);
    }

    private static JsonNode verify(TestServer s) {
        Api.Resp r = s.api().get("/api/v1/audit/verify", s.adminToken());
        assertEquals(200, r.status(), r.toString());
        return r.json();
    }

    private static Path sinkFile(TestServer s) {
        return s.home().resolve("audit-checkpoints.log");
    }

    private static List<String> kinds(JsonNode v) {
        return java.util.stream.StreamSupport.stream(v.get("problems").spliterator(), false)
                .map(p -> p.get("kind").asText()).toList();
    }

    /** {@code keyward-server ARGS...} in this JVM: exit code and output (stdout then stderr). */
    static String[] cli(String... args) {
        ServerCli.Run r = ServerCli.run(args);
        return new String[] {Integer.toString(r.code()), r.output()};
    }

    @Test
    void checkpointsAreSignedInTheTokenPublishedAndSshKeygenVerifiesEverySinkLine() throws Exception {
        try (TestServer s = start("")) {
            JsonNode published = s.api().get("/api/v1/audit/key", null).json();
            assertEquals(auditKey.toOpenSshWithoutComment(), published.get("public_key").asText());
            assertEquals(auditKey.fingerprint(), published.get("fingerprint").asText());
            assertEquals(SshSig.AUDIT_CHECKPOINT_NAMESPACE, published.get("namespace").asText());
            JsonNode ready = s.api().get("/readyz", null).json();
            assertEquals("up", ready.get("checks").get("audit_signer").asText(), ready.toString());
            // never in the trust bundle, never a CA key
            assertFalse(s.api().get("/api/v1/ca/user", null).body().contains(auditKey.toOpenSshWithoutComment()
                    .split(" ")[1]));
            assertFalse(s.api().get("/api/v1/ca/host", null).body().contains(auditKey.toOpenSshWithoutComment()
                    .split(" ")[1]));

            String engineer = s.token("engineer", "erin");
            issue(s, engineer, 3);
            long seq = checkpointNow(s);
            JsonNode v = verify(s);
            assertTrue(v.get("ok").asBoolean(), v.toString());
            assertTrue(v.get("checkpoints").get("verified").asInt() >= 1, v.toString());
            assertEquals(seq, v.get("checkpoints").get("newest_seq").asLong(), v.toString());

            Path sink = sinkFile(s);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sink)));
            List<String> lines = Files.readAllLines(sink);
            assertFalse(lines.isEmpty());
            assertTrue(lines.get(lines.size() - 1).startsWith("keyward-audit-checkpoint v1 seq=" + seq + " "),
                    lines.toString());
            Path signers = Files.writeString(dir.resolve("allowed_signers"),
                    published.get("allowed_signers").asText() + "\n");
            for (String line : lines) {
                Cmd.Result r = sshKeygenVerify(signers, line);
                assertEquals(0, r.exitCode(), line + "\n" + r.stdout() + r.stderr());
                assertTrue(r.stdout().contains("Good \"audit-checkpoint@keyward.dev\" signature for keyward-audit"),
                        r.stdout());
            }
            // a line changed by one digit does not verify
            String last = lines.get(lines.size() - 1);
            String changed = last.replace("seq=" + seq + " ", "seq=" + (seq + 1) + " ");
            assertEquals(255, sshKeygenVerify(signers, changed).exitCode());

            String[] ok = cli("audit", "verify", "--config", s.configFile().toString());
            assertEquals("0", ok[0], ok[1]);
            assertTrue(ok[1].contains("audit trail OK"), ok[1]);
            assertTrue(ok[1].contains("newest checkpoint " + seq), ok[1]);
        }
    }

    /** {@code ssh-keygen -Y verify} over one sink line: the message before " sig=", the armored signature after. */
    static Cmd.Result sshKeygenVerify(Path allowedSigners, String line) throws Exception {
        int at = line.indexOf(" sig=");
        Path sig = Files.writeString(allowedSigners.resolveSibling("line.sig"), "-----BEGIN SSH SIGNATURE-----\n"
                + line.substring(at + 5) + "\n-----END SSH SIGNATURE-----\n");
        return Cmd.run(List.of("ssh-keygen", "-Y", "verify", "-f", allowedSigners.toString(), "-I", "keyward-audit",
                "-n", SshSig.AUDIT_CHECKPOINT_NAMESPACE, "-s", sig.toString()), null, Map.of(), line.substring(0, at));
    }

    @Test
    void theCheckpointerSignsEveryNEntriesByItself() throws Exception {
        try (TestServer s = start("")) {
            String engineer = s.token("engineer", "nina");
            checkpointNow(s);
            long before = verify(s).get("checkpoints").get("newest_seq").asLong();
            issue(s, engineer, 6); // checkpoint_every: 5
            long newest = before;
            for (int i = 0; i < 100 && newest < before + 5; i++) { // the thread polls every second at most
                Thread.sleep(100);
                newest = verify(s).get("checkpoints").get("newest_seq").asLong();
            }
            assertTrue(newest >= before + 5, "no checkpoint 5 entries past " + before + ": " + newest);
        }
    }

    @Test
    void deletingTheNewestRowsIsCaughtAsTruncation() throws Exception {
        try (TestServer s = start("")) {
            String engineer = s.token("engineer", "dora");
            issue(s, engineer, 4);
            long cp = checkpointNow(s);
            long keep = cp - 3;
            // the administrator deletes the newest entries and moves the head back: the chain itself is consistent
            s.db().execute("DELETE FROM audit_log WHERE seq > " + keep);
            s.db().execute("UPDATE audit_head SET seq = " + keep + ", hash = (SELECT hash FROM audit_log WHERE seq = "
                    + keep + ")");
            JsonNode v = verify(s);
            assertFalse(v.get("ok").asBoolean(), v.toString());
            assertEquals(List.of("truncated"), kinds(v), v.toString());
            assertEquals(keep, v.get("head_seq").asLong());
            assertEquals(cp, v.get("first_bad_seq").asLong(), v.toString());
            assertTrue(v.get("problem").asText().contains("truncated after"), v.toString());
            assertTrue(v.get("problem").asText().contains("it ends at entry " + keep), v.toString());
            String[] bad = cli("audit", "verify", "--config", s.configFile().toString());
            assertEquals("1", bad[0], bad[1]);
            assertTrue(bad[1].contains("audit chain OK"), "the chain alone shows nothing: " + bad[1]);
            assertTrue(bad[1].contains("audit TRUNCATED: the audit chain was truncated after"), bad[1]);

            // deleting the checkpoints too leaves them in the sink file
            s.db().execute("DELETE FROM audit_checkpoints");
            JsonNode v2 = verify(s);
            assertFalse(v2.get("ok").asBoolean(), v2.toString());
            assertTrue(kinds(v2).containsAll(List.of("truncated", "checkpoint_deleted")), v2.toString());
            assertTrue(v2.get("problem").asText().contains(sinkFile(s).toString()), v2.toString());
        }
    }

    @Test
    void rewritingTheWholeChainWithRecomputedHashesIsCaughtAsRewritten() throws Exception {
        try (TestServer s = start("")) {
            String engineer = s.token("engineer", "rita");
            issue(s, engineer, 3);
            long first = checkpointNow(s);
            issue(s, engineer, 3);
            long second = checkpointNow(s);
            // entry 2 gets another actor, and every hash from there on is recomputed: the chain walks clean
            rewriteChain(s.db(), 2, "someone-else");
            JsonNode v = verify(s);
            assertFalse(v.get("ok").asBoolean(), v.toString());
            assertEquals("rewritten", kinds(v).get(0), v.toString());
            long firstBad = v.get("first_bad_seq").asLong();
            assertTrue(firstBad >= 2 && firstBad <= first, "the first checkpoint at or past entry 2 shows it: " + v);
            assertTrue(v.get("problem").asText().contains("rewritten"), v.toString());
            assertTrue(v.get("problem").asText().contains("later checkpoint(s) do not match"), v.toString());
            assertTrue(second > first);
            String[] bad = cli("audit", "verify", "--config", s.configFile().toString());
            assertEquals("1", bad[0], bad[1]);
            assertTrue(bad[1].contains("audit chain OK") && bad[1].contains("audit REWRITTEN"), bad[1]);
        }
    }

    @Test
    void checkpointsForgedWithAnotherKeyAreCaughtInTheTableAndInTheSinkFile() throws Exception {
        try (TestServer s = start("");
                CaSigner forger = Signers.create("file:" + dir.resolve("forger"), CaAlgorithm.ECDSA_P256,
                        SecretSource.of(Map.of()))) {
            String engineer = s.token("engineer", "fred");
            issue(s, engineer, 2);
            checkpointNow(s);
            // the administrator rewrites the chain, deletes the real checkpoints and signs new ones with their key
            rewriteChain(s.db(), 1, "nobody");
            s.db().execute("DELETE FROM audit_checkpoints");
            String[] head = head(s.db());
            Checkpoint forged = Checkpoint.sign(Checkpoint.Kind.CHECKPOINT, Long.parseLong(head[0]), head[1],
                    Instant.now(), forger);
            s.db().execute("INSERT INTO audit_checkpoints (kind, seq, hash, signed_at, key_fingerprint, signature)"
                    + " VALUES ('checkpoint', " + forged.seq() + ", '" + forged.hash() + "', now(), '"
                    + auditKey.fingerprint() + "', '" + forged.signature().base64() + "')");
            Files.writeString(sinkFile(s), forged.line() + "\n", StandardOpenOption.APPEND);
            JsonNode v = verify(s);
            assertFalse(v.get("ok").asBoolean(), v.toString());
            List<String> kinds = kinds(v);
            assertEquals(2, kinds.stream().filter("bad_signature"::equals).count(), v.toString());
            String all = v.get("problems").toString();
            assertTrue(all.contains("its signature does not verify"), "the table's row claims the audit key: " + all);
            assertTrue(all.contains("it names the key " + forger.publicKey().fingerprint()), all);
            assertTrue(all.contains(sinkFile(s) + " line "), all);
            // and the real checkpoints, still in the sink file, show the rewrite
            assertTrue(kinds.contains("rewritten") && kinds.contains("checkpoint_deleted"), v.toString());

            // the forged row never reaches the sink
            long linesBefore = Files.readAllLines(sinkFile(s)).size();
            s.server().services().checkpoints().flushSinks();
            assertEquals(linesBefore, Files.readAllLines(sinkFile(s)).size());
        }
    }

    @Test
    void theCommandReadsOtherCopiesTakesAPinnedKeyAndExitsTwoOnBadUsage() throws Exception {
        try (TestServer s = start("")) {
            String engineer = s.token("engineer", "cleo");
            issue(s, engineer, 2);
            checkpointNow(s);
            String config = s.configFile().toString();
            Path copy = Files.copy(sinkFile(s), dir.resolve("collector.log"));
            // a syslog collector's prefix before each line is fine, other lines are skipped
            List<String> prefixed = Files.readAllLines(copy).stream()
                    .map(l -> "Dec  5 10:00:00 ca1 keyward[42]: " + l).toList();
            Files.write(copy, prefixed);
            Files.writeString(copy, "Dec  5 10:00:01 ca1 sshd[7]: unrelated\n", StandardOpenOption.APPEND);
            Path pinned = Files.writeString(dir.resolve("audit.pub"), auditKey.toOpenSsh() + "\n");

            String[] ok = cli("audit", "verify", "--config", config, "--checkpoints", copy.toString(), "--key",
                    pinned.toString());
            assertEquals("0", ok[0], ok[1]);
            assertTrue(ok[1].contains(copy + ": "), ok[1]);
            assertTrue(ok[1].contains("1 line(s) without a checkpoint were skipped"), ok[1]);

            // the auditor's copy survives the administrator: the local sink file is gone, the chain rewritten
            Files.delete(sinkFile(s));
            s.db().execute("DELETE FROM audit_checkpoints");
            rewriteChain(s.db(), 1, "nobody");
            String[] bad = cli("audit", "verify", "--config", config, "--checkpoints", copy.toString());
            assertEquals("1", bad[0], bad[1]);
            assertTrue(bad[1].contains("audit REWRITTEN") && bad[1].contains(copy.toString()), bad[1]);

            // checkpoints signed by the token's key are refused under another pinned key
            Path other = TestKeys.publicKeyFile(dir, "other", "ecdsa-256");
            String[] wrongKey = cli("audit", "verify", "--config", config, "--checkpoints", copy.toString(), "--key",
                    other.toString());
            assertEquals("1", wrongKey[0], wrongKey[1]);
            assertTrue(wrongKey[1].contains("audit BAD_SIGNATURE"), wrongKey[1]);

            String[] missing = cli("audit", "verify", "--config", config, "--checkpoints", dir.resolve("nope").toString());
            assertEquals("2", missing[0], missing[1]);
            assertTrue(missing[1].contains("--checkpoints " + dir.resolve("nope") + ": not a readable file"), missing[1]);
            Path notKey = Files.writeString(dir.resolve("not-a-key"), "hello\n");
            String[] badKey = cli("audit", "verify", "--config", config, "--key", notKey.toString());
            assertEquals("2", badKey[0], badKey[1]);
            assertTrue(badKey[1].contains("--key " + notKey + ": not an OpenSSH public key"), badKey[1]);
            assertEquals("2", cli("audit", "verify", "--config", config, "--frobnicate")[0]);
        }
    }

    @Test
    void aFailingSinkIsVisibleRetriedAndLosesNothing() throws Exception {
        Path sinkDir = Files.createDirectories(dir.resolve("sink"));
        try (TestServer s = start("  sink:\n    file: " + sinkDir.resolve("audit.log") + "\n")) {
            String engineer = s.token("engineer", "sid");
            issue(s, engineer, 1);
            checkpointNow(s);
            assertFalse(Files.readAllLines(sinkDir.resolve("audit.log")).isEmpty());
            // the sink's directory becomes a file: writes fail, issuance does not
            Files.delete(sinkDir.resolve("audit.log"));
            Files.delete(sinkDir);
            Files.writeString(sinkDir, "in the way\n");
            issue(s, engineer, 2);
            long seq = checkpointNow(s);
            String metrics = s.api().get("/metrics", null).body();
            assertTrue(metrics.contains("keyward_audit_sink_up{sink=\"file\"} 0"), metrics);
            assertTrue(metrics.matches("(?s).*keyward_audit_sink_failures_total\\{sink=\"file\"} [1-9].*"), metrics);
            // back: the next round writes every checkpoint it missed, in order
            Files.delete(sinkDir);
            Files.createDirectories(sinkDir);
            s.server().services().checkpoints().flushSinks();
            List<String> lines = Files.readAllLines(sinkDir.resolve("audit.log"));
            assertTrue(lines.get(lines.size() - 1).contains(" seq=" + seq + " "), lines.toString());
            assertTrue(s.api().get("/metrics", null).body().contains("keyward_audit_sink_up{sink=\"file\"} 1"));
            assertTrue(verify(s).get("ok").asBoolean());
        }
    }

    /** The chain's head: seq and hash. */
    static String[] head(TestDatabases.Db db) throws Exception {
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT seq, hash FROM audit_head")) {
            rs.next();
            return new String[] {Long.toString(rs.getLong(1)), rs.getString(2)};
        }
    }

    /**
     * What a database administrator can do: give entry {@code seq} another actor, then recompute every hash from
     * there to the head, so that the chain walks clean.
     */
    static void rewriteChain(TestDatabases.Db db, long seq, String actor) throws Exception {
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            String prev = AuditHashing.GENESIS;
            long last = 0;
            try (ResultSet rs = c.createStatement().executeQuery("SELECT seq, occurred_at, actor, action, subject,"
                    + " details FROM audit_log ORDER BY seq");
                    PreparedStatement up = c.prepareStatement("UPDATE audit_log SET actor = ?, prev_hash = ?, hash = ?"
                            + " WHERE seq = ?")) {
                while (rs.next()) {
                    long n = rs.getLong(1);
                    String who = n == seq ? actor : rs.getString(3);
                    String hash = AuditHashing.hash(prev, AuditHashing.canonical(n,
                            rs.getObject(2, OffsetDateTime.class).toInstant(), who, rs.getString(4), rs.getString(5),
                            rs.getString(6)));
                    up.setString(1, who);
                    up.setString(2, prev);
                    up.setString(3, hash);
                    up.setLong(4, n);
                    up.executeUpdate();
                    prev = hash;
                    last = n;
                }
            }
            try (PreparedStatement h = c.prepareStatement("UPDATE audit_head SET seq = ?, hash = ?")) {
                h.setLong(1, last);
                h.setString(2, prev);
                h.executeUpdate();
            }
            c.commit();
        }
    }
}
