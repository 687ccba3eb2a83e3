package dev.keyward.web.e2e;

import static dev.keyward.web.e2e.RotationFleet.HOSTNAME;
import static dev.keyward.web.e2e.RotationFleet.USER;
import static dev.keyward.web.e2e.RotationFleet.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.ca.key.KeyPolicy;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.web.testing.AgentRoots;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.ServerCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compliance report flags exactly the planted findings: a static key unused for longer than
 * {@code inventory.unused_after}, a key authorized for two accounts, an RSA-1024 key the agent found in a user's
 * own authorized_keys (weak, and without an owner: no static key record names it), a user CA key signing for longer
 * than {@code ca.cryptoperiod}, and a recently seen host whose agent reports an older trust bundle. Everything else
 * in the fleet (CA keys in SoftHSM2, read back as sensitive and never extractable; certificates within policy; a
 * current host) gives none. Ages are planted in the database (first sight of the key, activation of the CA key);
 * the rest comes from the real agents' reports.
 */
class ComplianceReportTest {
    private static final PublicKeyParser LENIENT = new PublicKeyParser(new KeyPolicy(1024));

    @TempDir
    Path tmp;

    @Test
    void reportFlagsThePlantedFindingsAndNothingElse() throws Exception {
        try (RotationFleet f = RotationFleet.start(tmp.resolve("a"), CaKeyRotationTest.POLICY.formatted("1d"))) {
            // a second account on the managed host, for the shared key
            int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            Files.writeString(f.root.resolve("etc/passwd"), "svc:x:" + uid + ":" + uid + ":svc:/home/svc:/bin/sh\n",
                    StandardOpenOption.APPEND);
            Files.createDirectories(f.root.resolve("home/svc"));

            // a host that is seen but does not take the next trust bundle
            Path lagRoot = AgentRoots.withUser(tmp.resolve("b/root"), USER);
            Path join = AgentRoots.register(f.server, "lag.example.com", tmp.resolve("b/join-token"));
            String url = "http://127.0.0.1:" + f.server.port();
            assertEquals(0, RotationFleet.agent(lagRoot, "enroll", "--server", url, "--join-token-file",
                    join.toString()));
            assertEquals(0, RotationFleet.agent(lagRoot, "once", "--server", url, "--log-file", "/sshd/sshd.log"));

            Path keys = Files.createDirectories(tmp.resolve("keys"));
            String unused = staticKey(f, USER, Cmd.sshKeygen(keys, "unused", "ed25519", 0));
            Path sharedKey = Cmd.sshKeygen(keys, "shared", "ed25519", 0);
            String shared = staticKey(f, USER, sharedKey);
            assertEquals(shared, staticKey(f, "svc", sharedKey));
            Path weakKey = Cmd.sshKeygen(keys, "weak", "rsa", 1024);
            String weakLine = Files.readString(Path.of(weakKey + ".pub")).strip();
            String weak = LENIENT.parseLine(weakLine).fingerprint();
            Path ssh = Files.createDirectories(f.root.resolve("home/" + USER + "/.ssh"));
            Files.setPosixFilePermissions(ssh, PosixFilePermissions.fromString("rwx------"));
            Files.writeString(ssh.resolve("authorized_keys"), weakLine + "\n");
            f.agentCycle(); // writes the static keys, reports the inventory

            assertEquals(1, f.server.db().execute("UPDATE key_first_seen SET first_seen_at = now() - interval"
                    + " '100 days' WHERE fingerprint = '" + unused + "'"), "planted: first seen 100 days ago");
            long userCa = f.key("user", "active").get("id").asLong();
            assertEquals(1, f.server.db().execute("UPDATE ca_keys SET activated_at = now() - interval '400 days'"
                    + " WHERE id = " + userCa), "planted: signing for 400 days");
            assertEquals(201, f.api.post("/api/v1/ca/keys", f.admin, Map.of("purpose", "user")).status());
            f.agentCycle(); // the managed host takes the new trust bundle; lag.example.com does not

            String auditor = f.server.token("auditor", "aud");
            Api.Resp r = f.api.get("/api/v1/reports/compliance", auditor);
            assertEquals(200, r.status(), r.toString());
            Set<String> found = new TreeSet<>();
            for (JsonNode stage : r.json().get("stages")) {
                for (JsonNode finding : stage.get("findings")) {
                    found.add(finding.get("code").asText() + " " + finding.get("subject").asText());
                    assertTrue(finding.get("requirements").toString().contains("SOC 2 CC6.1"), finding.toString());
                    assertTrue(finding.get("requirements").toString().contains("NIST SP 800-57"), finding.toString());
                }
            }
            Set<String> expected = new TreeSet<>(Set.of(
                    "ca_key_over_cryptoperiod ca_key:" + userCa,
                    "static_key_unused key:" + unused,
                    "static_key_shared key:" + shared,
                    "static_key_weak key:" + weak,
                    "static_key_no_owner key:" + weak,
                    "host_trust_lagging host:lag.example.com"));
            assertEquals(expected, found, r.body());
            assertEquals(6, r.json().get("summary").get("findings").asInt());
            JsonNode generation = r.json().get("stages").get(0).get("evidence").get("ca_keys");
            for (JsonNode k : generation) {
                assertEquals("pkcs11-token", k.get("storage").asText(), k.toString());
                assertTrue(k.get("never_extractable").asBoolean(), k.toString());
            }

            Api.Resp csv = f.api.get("/api/v1/reports/compliance", auditor, Map.of("Accept", "text/csv"));
            assertEquals(200, csv.status(), csv.toString());
            assertTrue(csv.contentType().startsWith("text/csv"), csv.contentType());
            assertEquals(7, lines(csv.body()).size(), csv.body());
            assertTrue(csv.body().startsWith("stage,severity,code,subject,message,requirements,evidence\r\n"));
            assertEquals(403, f.api.get("/api/v1/reports/compliance", f.server.token("engineer", "eve")).status());

            Path config = f.server.configFile();
            ServerCli.Run cli = ServerCli.run("report", "compliance", "--format", "csv", "--config", config.toString());
            assertEquals(0, cli.code(), cli.output());
            assertEquals(7, lines(cli.out()).size(), cli.out());
            ServerCli.Run json = ServerCli.run("report", "compliance", "--config", config.toString());
            assertEquals(0, json.code(), json.output());
            assertTrue(json.out().contains("\"host_trust_lagging\""), json.out());
            ServerCli.Run bad = ServerCli.run("report", "compliance", "--format", "xml", "--config", config.toString());
            assertEquals(2, bad.code(), bad.output());
            assertTrue(bad.err().contains("--format"), bad.err());
        }
    }

    /** Authorizes the key for {@code account} on the managed host through the API; returns its fingerprint. */
    private static String staticKey(RotationFleet f, String account, Path key) throws Exception {
        Api.Resp r = f.api.post("/api/v1/authorized-keys", f.admin, Map.of("account", account, "host", HOSTNAME,
                "public_key", Files.readString(Path.of(key + ".pub")), "comment", "planted"));
        assertEquals(201, r.status(), r.toString());
        return r.json().get("fingerprint").asText();
    }
}
