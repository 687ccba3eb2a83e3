package dev.keyward.web.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.testing.TestKeys;
import dev.keyward.web.service.SoftHsmKeyStore;
import dev.keyward.web.testing.Api;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keyward-server serve} with no configuration, in its own JVM as an operator would run it: embedded
 * PostgreSQL and CA keys under $KEYWARD_HOME (in SoftHSM2 when installed), the bootstrap admin token in a 0600
 * file and never in the log, {@code token create} against the running server, and a clean stop.
 */
class EmbeddedDefaultsTest {
    @TempDir
    Path dir;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private ProcessBuilder cli(Path home, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--add-exports=jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED");
        cmd.add("--add-opens=jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(KeywardServerCli.class.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("KEYWARD_") || k.equals("SOFTHSM2_CONF"));
        pb.environment().put("KEYWARD_HOME", home.toString());
        pb.environment().putAll(env);
        return pb;
    }

    @Test
    void serveWithNoConfigurationKeepsEverythingUnderKeywardHome() throws Exception {
        Path home = dir.resolve("kwhome");
        int port = freePort();
        Map<String, String> env = new java.util.HashMap<>(Map.of("KEYWARD_HTTP_PORT", Integer.toString(port)));
        boolean hsm = SoftHsmKeyStore.installed();
        if (hsm) {
            env.put("SOFTHSM2_CONF", home.resolve("softhsm2.conf").toString());
        }
        Path log = dir.resolve("serve.log");
        Process p = cli(home, env, "serve").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.readString(log).contains("listening on") && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            String text = Files.readString(log);
            assertTrue(text.contains("listening on http://127.0.0.1:" + port), text);

            Path tokenFile = home.resolve("admin-token");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)));
            String admin = Files.readString(tokenFile).strip();
            assertTrue(text.contains(tokenFile.toString()), "the log says where the token is");
            assertFalse(text.contains(admin), "the log must never contain the token");
            assertTrue(Files.isDirectory(home.resolve("pgdata")));
            int pgPort = Integer.parseInt(Files.readAllLines(home.resolve("pgdata/postmaster.pid")).get(3).strip());
            try (var c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pgPort + "/keyward",
                    "keyward", Files.readString(home.resolve("pg-password")).strip()); var st = c.createStatement()) {
                for (String setting : List.of("fsync", "synchronous_commit", "full_page_writes")) {
                    try (var rs = st.executeQuery("SHOW " + setting)) {
                        rs.next();
                        assertEquals("on", rs.getString(1), setting + " must be on: these are the CA's records");
                    }
                }
                // a commit that crosses into a new WAL segment must not wait for 16 MB of zeros (the issuance tail)
                try (var rs = st.executeQuery("SHOW wal_init_zero")) {
                    rs.next();
                    assertEquals("off", rs.getString(1));
                }
            }
            assertTrue(text.contains(hsm ? "SoftHSM2 token" : "SOFTWARE KEYS"), text);

            Api api = new Api(port);
            assertEquals(200, api.get("/readyz", null).status());
            Api.Resp cert = api.post("/api/v1/certs/user", admin,
                    Map.of("public_key", Files.readString(TestKeys.publicKeyFile(dir, "k", "ed25519"))));
            assertEquals(201, cert.status(), cert.toString());

            // an admin command while serve runs attaches to the same embedded database
            Process t = cli(home, env, "token", "create", "--name", "zoe", "--role", "auditor", "--ttl", "1h")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String token = new String(t.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertTrue(t.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, t.exitValue());
            assertEquals(200, api.get("/api/v1/audit", token).status());
        } finally {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        assertFalse(Files.exists(home.resolve("pgdata/postmaster.pid")), "the embedded PostgreSQL stopped with it");
    }

    @Test
    void nonLoopbackBindWithoutTlsIsRefusedUnlessInsecureHttp() throws Exception {
        Path home = dir.resolve("refuse");
        Process p = cli(home, Map.of("KEYWARD_HTTP_BIND", "0.0.0.0", "KEYWARD_HTTP_PORT", Integer.toString(freePort())),
                "serve").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("--insecure-http"), out);
        assertFalse(Files.exists(home.resolve("pgdata")), "refused before touching any state");
    }
}
