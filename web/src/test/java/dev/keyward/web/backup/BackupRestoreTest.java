package dev.keyward.web.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.agent.cli.KeywardAgentCli;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.Sshd;
import dev.keyward.web.service.SoftHsmKeyStore;
import dev.keyward.web.testing.AgentRoots;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.ServerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keyward-server backup} and {@code restore} on embedded defaults, in their own JVMs as an operator runs
 * them: issue, revoke, register and enroll a host, add a static key; back up while the server runs; stop it, wipe
 * {@code KEYWARD_HOME} but the SoftHSM2 token (docs/operator-guide.md: copy it on its own); restore; then every
 * certificate, revocation, token, host and key is there, the audit chain verifies, the KRL is byte-identical, the
 * CA keys sign again, and the agent enrolled before the backup keeps working. Bad backups and non-empty targets are
 * refused without a change.
 */
class BackupRestoreTest {
    static final String USER = Sshd.currentUser();

    @TempDir
    Path dir;

    @Test
    void backupWipeRestoreKeepsEverythingAndTheAgentKeepsWorking() throws Exception {
        Path home = dir.resolve("home");
        Map<String, String> env = new HashMap<>();
        if (SoftHsmKeyStore.installed()) {
            env.put("SOFTHSM2_CONF", home.resolve("softhsm2.conf").toString());
        }
        Map<String, String> cliEnv = new HashMap<>(env);
        cliEnv.put("KEYWARD_HOME", home.toString());
        Path root = agentRoot();
        Path keys = Files.createDirectories(dir.resolve("keys"));
        Snapshot before;
        String admin;
        try (ServerProcess server = ServerProcess.serveEmbedded("first", home, env, dir).awaitListening(180)) {
            Api api = new Api(server.port());
            admin = Files.readString(home.resolve("admin-token")).strip();
            Api.Resp eng = api.post("/api/v1/tokens", admin, Map.of("name", "eve", "role", "engineer", "username",
                    USER, "ttl", "1d"));
            assertEquals(201, eng.status(), eng.toString());
            String engineer = eng.json().get("token").asText();
            List<Long> serials = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Path k = Cmd.sshKeygen(keys, "user" + i, "ed25519", 0);
                Api.Resp c = api.post("/api/v1/certs/user", engineer, Map.of("public_key",
                        Files.readString(Path.of(k + ".pub"))));
                assertEquals(201, c.status(), c.toString());
                serials.add(c.json().get("serial").asLong());
            }
            assertEquals(200, api.post("/api/v1/certs/" + serials.get(1) + "/revoke", admin,
                    Map.of("reason", "laptop lost")).status());
            Path stolen = Cmd.sshKeygen(keys, "stolen", "ed25519", 0);
            assertEquals(201, api.post("/api/v1/revocations", admin, Map.of("public_key",
                    Files.readString(Path.of(stolen + ".pub")), "reason", "leaked")).status());
            Api.Resp host = api.post("/api/v1/hosts", admin, Map.of("hostname", "db-01.example.com"));
            assertEquals(201, host.status(), host.toString());
            Path join = Files.writeString(dir.resolve("join-token"), host.json().get("join_token").asText());
            String url = "http://127.0.0.1:" + server.port();
            assertEquals(0, agent(root, "enroll", "--server", url, "--join-token-file", join.toString()));
            Path deploy = Cmd.sshKeygen(keys, "deploy", "ed25519", 0);
            assertEquals(201, api.post("/api/v1/authorized-keys", admin, Map.of("account", USER,
                    "host", "db-01.example.com", "public_key", Files.readString(Path.of(deploy + ".pub")))).status());
            assertEquals(0, agent(root, "once", "--server", url, "--log-source", "none"));
            before = Snapshot.of(api, admin);

            ServerProcess.Result b = ServerProcess.run(dir, cliEnv, "backup", "--to", dir.resolve("backup").toString());
            assertEquals(0, b.exitCode(), b.output());
            assertEquals(1, ServerProcess.run(dir, cliEnv, "backup", "--to", dir.resolve("backup").toString())
                    .exitCode(), "a backup never overwrites another");
        }
        assertNoSecrets(dir.resolve("backup"), home, admin);

        // wipe: everything but the SoftHSM2 token, which docs/operator-guide.md says to copy with the server stopped
        Path token = dir.resolve("token-copy");
        Files.createDirectories(token);
        for (String f : List.of("softhsm", "softhsm2.conf", "ca")) {
            if (Files.exists(home.resolve(f))) {
                copyTree(home.resolve(f), token.resolve(f));
            }
        }
        deleteTree(home);
        Files.createDirectories(home);
        for (String f : List.of("softhsm", "softhsm2.conf", "ca")) {
            if (Files.exists(token.resolve(f))) {
                copyTree(token.resolve(f), home.resolve(f));
            }
        }

        // a damaged backup is refused before anything is touched
        Path damaged = dir.resolve("damaged");
        copyTree(dir.resolve("backup"), damaged);
        Files.writeString(damaged.resolve("tables/certificates.csv"), "\n", StandardOpenOption.APPEND);
        ServerProcess.Result bad = ServerProcess.run(dir, cliEnv, "restore", "--from", damaged.toString());
        assertEquals(1, bad.exitCode(), bad.output());
        assertTrue(bad.output().contains("SHA-256"), bad.output());
        ServerProcess.Result notBackup = ServerProcess.run(dir, cliEnv, "restore", "--from", keys.toString());
        assertEquals(1, notBackup.exitCode(), notBackup.output());
        assertTrue(notBackup.output().contains("not a Keyward backup"), notBackup.output());

        ServerProcess.Result r = ServerProcess.run(dir, cliEnv, "restore", "--from", dir.resolve("backup").toString());
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("audit chain OK"), r.output());
        ServerProcess.Result again = ServerProcess.run(dir, cliEnv, "restore", "--from", dir.resolve("backup").toString());
        assertEquals(1, again.exitCode(), again.output());
        assertTrue(again.output().contains("not empty"), again.output());

        try (ServerProcess server = ServerProcess.serveEmbedded("restored", home, env, dir).awaitListening(180)) {
            Api api = new Api(server.port());
            assertFalse(server.log().contains("Created the bootstrap admin token"), "tokens were restored");
            Snapshot after = Snapshot.of(api, admin);
            assertEquals(before.certs, after.certs);
            assertEquals(before.tokens, after.tokens);
            assertEquals(before.hosts, after.hosts);
            assertEquals(before.keys, after.keys);
            assertEquals(before.caUser, after.caUser);
            assertEquals(before.caHost, after.caHost);
            assertArrayEquals(before.krl, after.krl, "the KRL is byte-identical");
            JsonNode verify = api.get("/api/v1/audit/verify", admin).json();
            assertTrue(verify.get("ok").asBoolean(), verify.toString());

            // the CA keys sign again, with serials after every one issued before
            Path k = Cmd.sshKeygen(keys, "later", "ed25519", 0);
            Api.Resp c = api.post("/api/v1/certs/user", admin, Map.of("public_key", Files.readString(Path.of(k + ".pub"))));
            assertEquals(201, c.status(), c.toString());
            assertTrue(c.json().get("serial").asLong() > before.maxSerial, c.toString());
            // the agent enrolled before the backup keeps working with its credential
            assertEquals(0, agent(root, "once", "--server", "http://127.0.0.1:" + server.port(), "--log-source", "none"));
        }
    }

    /** What the API shows, for comparing before and after. */
    record Snapshot(String certs, String tokens, String hosts, String keys, String caUser, String caHost, byte[] krl,
            long maxSerial) {
        static Snapshot of(Api api, String admin) {
            Api.Resp certs = api.get("/api/v1/certs?limit=100", admin);
            long max = 0;
            for (JsonNode c : certs.json().get("items")) {
                max = Math.max(max, c.get("serial").asLong());
            }
            return new Snapshot(certs.body(), withoutLastUsed(api.get("/api/v1/tokens", admin).json()),
                    withoutVolatile(api.get("/api/v1/hosts", admin).json()), api.get("/api/v1/keys", admin).body(),
                    api.get("/api/v1/ca/user", null).body(), api.get("/api/v1/ca/host", null).body(),
                    api.get("/api/v1/krl", null).bytes(), max);
        }

        private static String withoutLastUsed(JsonNode tokens) {
            // recorded as tokens are used: the admin token's changes between the two snapshots
            for (JsonNode t : tokens.get("items")) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) t).remove("last_used_at");
            }
            return tokens.toString();
        }

        private static String withoutVolatile(JsonNode hosts) {
            for (JsonNode h : hosts.get("items")) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) h).remove("last_seen_at");
            }
            return hosts.toString();
        }
    }

    private static void assertNoSecrets(Path backup, Path home, String admin) throws IOException {
        List<String> secrets = new ArrayList<>(List.of(admin, Files.readString(home.resolve("pg-password")).strip()));
        for (String pin : List.of("softhsm/user-pin", "softhsm/so-pin")) {
            if (Files.exists(home.resolve(pin))) {
                secrets.add(Files.readString(home.resolve(pin)).strip());
            }
        }
        try (Stream<Path> files = Files.walk(backup)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String text = Files.readString(f, StandardCharsets.ISO_8859_1);
                for (String s : secrets) {
                    assertFalse(text.contains(s), f + " holds a secret");
                }
                assertFalse(text.contains("PRIVATE KEY"), f + " holds a private key");
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
            }
        }
    }

    private Path agentRoot() throws IOException {
        return AgentRoots.withUser(dir.resolve("root"), USER);
    }

    private static int agent(Path root, String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--root", root.toString()));
        return KeywardAgentCli.execute(a.toArray(String[]::new));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(f);
            }
        }
    }
}
