package dev.keyward.web.hosts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.ca.testing.Sshd;
import dev.keyward.web.testing.AgentRoots;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The agent's host clock 10 minutes behind or ahead of the server's: the real agent runs in a JVM of its own
 * under libfaketime ({@code LD_PRELOAD}, {@code FAKETIME}; the monotonic clock is left alone so timeouts are
 * real), against the real server. It enrolls and installs the host certificate the server made (valid from two
 * minutes before the server's now), installs the state, the trusted CA keys and the KRL the server serves (a
 * revocation reaches it), renews its host certificate once when the server says {@code renew_now} and otherwise
 * never: the server issues no host certificate beyond those two however many cycles run.
 */
class AgentClockSkewTest {
    static final String USER = Sshd.currentUser();

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "agent clock {0}")
    @ValueSource(strings = {"-10m", "+10m"})
    void anAgentTenMinutesOffInstallsWhatTheServerSendsAndRenewsItsHostCertificateOnlyWhenAsked(String skew)
            throws Exception {
        Path root = AgentRoots.withUser(tmp.resolve("root"), USER);
        Files.writeString(root.resolve("etc/ssh/sshd_config"), "");
        Path keys = Files.createDirectories(tmp.resolve("keys"));
        Path staticKey = Cmd.sshKeygen(keys, "static", "ed25519", 0);
        Path engineerKey = Cmd.sshKeygen(keys, "engineer", "ed25519", 0);
        Path hostCert = root.resolve("etc/ssh/ssh_host_ed25519_key-cert.pub");
        Path revokedKeys = root.resolve("etc/ssh/keyward/revoked_keys");

        try (TestServer server = TestServer.start(tmp.resolve("home"), TestDatabases.create())) {
            Api api = server.api();
            String admin = server.adminToken();
            String url = "http://127.0.0.1:" + server.port();
            Path joinToken = AgentRoots.register(server, "skew.example.com", tmp.resolve("join-token"));

            Cmd.Result enrolled = agent(skew, root, "enroll", "--server", url, "--join-token-file",
                    joinToken.toString());
            assertEquals(0, enrolled.exitCode(), enrolled.stdout() + enrolled.stderr());
            long enrolledSerial = serial(hostCert);
            assertEquals(List.of(enrolledSerial), hostCertSerials(api, admin));

            // a static key, and an engineer's certificate that is then revoked: a new state and a new KRL
            assertEquals(201, api.post("/api/v1/authorized-keys", admin, Map.of("account", USER,
                    "host", "skew.example.com", "public_key", Files.readString(Path.of(staticKey + ".pub")))).status());
            Api.Resp cert = api.post("/api/v1/certs/user", server.token("engineer", USER),
                    Map.of("public_key", Files.readString(Path.of(engineerKey + ".pub"))));
            assertEquals(201, cert.status(), cert.toString());
            Path certFile = Files.writeString(Path.of(engineerKey + "-cert.pub"),
                    cert.json().get("certificate").asText() + "\n");
            assertEquals(200, api.post("/api/v1/certs/" + cert.json().get("serial").asLong() + "/revoke", admin,
                    Map.of("reason", "laptop lost")).status());

            List<String> renewals = cycles(skew, root, url, 3);
            assertEquals(List.of(), renewals, "no renewal of a valid host certificate");
            assertTrue(Files.readString(root.resolve("etc/ssh/keyward/authorized_keys/" + USER))
                    .contains(Files.readString(Path.of(staticKey + ".pub")).split(" ")[1]));
            assertEquals(api.get("/api/v1/ca/user", null).body(),
                    Files.readString(root.resolve("etc/ssh/keyward/trusted_user_ca_keys")));
            assertArrayEquals(api.get("/api/v1/krl", null).bytes(), Files.readAllBytes(revokedKeys));
            assertEquals(1, Cmd.run(List.of("ssh-keygen", "-Q", "-f", revokedKeys.toString(), certFile.toString()))
                    .exitCode(), "ssh-keygen -Q: the revoked certificate is in the KRL the agent installed");
            assertEquals(List.of(enrolledSerial), hostCertSerials(api, admin), "no host certificate issued");
            assertSkewed(root, skew);

            // the host certificate is revoked: renew_now, one renewal, then quiet again
            assertEquals(200, api.post("/api/v1/certs/" + enrolledSerial + "/revoke", admin,
                    Map.of("reason", "host rebuilt")).status());
            renewals = cycles(skew, root, url, 3);
            assertEquals(1, renewals.size(), "renewed once: " + renewals);
            long renewed = serial(hostCert);
            assertNotEquals(enrolledSerial, renewed);
            assertEquals(List.of(renewed, enrolledSerial), hostCertSerials(api, admin));
            assertArrayEquals(api.get("/api/v1/krl", null).bytes(), Files.readAllBytes(revokedKeys));
        }
    }

    /** Runs {@code once} {@code n} times; each must succeed. Returns the cycles' host certificate renewals. */
    private List<String> cycles(String skew, Path root, String url, int n) throws IOException {
        List<String> renewals = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Cmd.Result r = agent(skew, root, "once", "--server", url, "--log-source", "none",
                    "--set", "sshd=/bin/true", "--set", "reload_command=true");
            assertEquals(0, r.exitCode(), "cycle " + i + ": " + r.stdout() + r.stderr());
            r.stdout().lines().filter(l -> l.startsWith("host certificates renewed")).forEach(renewals::add);
        }
        return renewals;
    }

    /** The host certificates the server issued, newest first. */
    private static List<Long> hostCertSerials(Api api, String admin) {
        JsonNode certs = api.get("/api/v1/certs?limit=100", admin).json().get("items");
        List<Long> out = new ArrayList<>();
        for (JsonNode c : certs) {
            if (c.get("type").asText().equals("host")) {
                out.add(c.get("serial").asLong());
            }
        }
        return out;
    }

    private static long serial(Path cert) throws IOException {
        return CertificateCodec.decodeLine(Files.readString(cert).strip()).certificate().serial();
    }

    /** The agent's own record of its last cycle shows its clock was off as intended (so libfaketime took). */
    private static void assertSkewed(Path root, String skew) throws IOException {
        JsonNode status = Api.JSON.readTree(root.resolve("var/lib/keyward-agent/status.json").toFile());
        Instant agentTime = Instant.parse(status.get("last_attempt").asText());
        long off = Duration.between(Instant.now(), agentTime).toSeconds();
        long want = (skew.startsWith("-") ? -60 : 60) * Long.parseLong(skew.substring(1, skew.length() - 1));
        assertTrue(Math.abs(off - want) < 120, "the agent's clock is off by " + off + " s, not " + want + " s");
    }

    /** The agent's command line in a JVM of its own (this test's class path) with its clock shifted by {@code skew}. */
    private Cmd.Result agent(String skew, Path root, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
                "-cp", System.getProperty("java.class.path"), "dev.keyward.agent.cli.KeywardAgentCli"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--root", root.toString()));
        // the monotonic clock stays real (so do timeouts); without its "monotonic fix" for timed waits, which
        // costs every JVM start a second here
        return Cmd.run(cmd, tmp, Map.of("LD_PRELOAD", libfaketime().toString(), "FAKETIME", skew,
                "FAKETIME_DONT_FAKE_MONOTONIC", "1", "FAKETIME_FORCE_MONOTONIC_FIX", "0"), null);
    }

    /** Debian's libfaketime (package faketime, which scripts/test installs). */
    static Path libfaketime() throws IOException {
        for (String dir : List.of("/usr/lib", "/usr/lib64")) {
            if (!Files.isDirectory(Path.of(dir))) {
                continue;
            }
            try (Stream<Path> s = Files.find(Path.of(dir), 3, (p, a) -> p.getFileName().toString()
                    .equals("libfaketime.so.1") && p.getParent().getFileName().toString().equals("faketime"))) {
                var found = s.findFirst();
                if (found.isPresent()) {
                    return found.get();
                }
            }
        }
        throw new AssertionError("libfaketime.so.1 not found: install the faketime package (apt-get install faketime)");
    }
}
