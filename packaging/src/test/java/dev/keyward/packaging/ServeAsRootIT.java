package dev.keyward.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./scripts/keyward-server serve} started as root runs the whole server, JVM included, as the keyward system
 * account: nothing of it needs root. Its home, under a directory only root may pass (a JUnit temp dir, 0700), is
 * handed to the account and the account is granted search permission above it. A home that is a non-empty
 * directory of something else is refused, untouched.
 */
class ServeAsRootIT {
    @TempDir
    Path tmp;

    private final Path repo = Path.of(System.getProperty("keyward.root", "..")).toAbsolutePath().normalize();

    private ProcessBuilder script(Path home, int port, String... args) {
        ProcessBuilder pb = new ProcessBuilder(Host.words("bash", repo.resolve("scripts/keyward-server").toString()));
        pb.command().addAll(List.of(args));
        pb.environment().keySet().removeIf(k -> k.startsWith("KEYWARD_") || k.equals("SOFTHSM2_CONF"));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("KEYWARD_HOME", home.toString());
        pb.environment().put("KEYWARD_HTTP_PORT", Integer.toString(port));
        return pb.directory(tmp.toFile());
    }

    @Test
    void serveStartedAsRootRunsTheJvmAsTheKeywardAccount() throws Exception {
        Assumptions.assumeTrue(Host.uid() == 0, "skipped: needs root");
        Path home = tmp.resolve("kwhome");
        int port = Host.freePort();
        Path log = tmp.resolve("serve.log");
        Process p = script(home, port, "serve").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
            int status = 0;
            while (status != 200 && p.isAlive() && System.nanoTime() < deadline) {
                try {
                    status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding())
                            .statusCode();
                } catch (java.io.IOException e) {
                    Thread.sleep(500);
                }
            }
            assertEquals(200, status, Files.readString(log));
            List<String> account = Host.passwd("keyward");
            assertEquals(Integer.parseInt(account.get(2)), Host.uidOf(p.pid()),
                    "the JVM (the script's PID: it execs setpriv, which execs java) runs as keyward");
            assertEquals("keyward", Files.getOwner(home).getName());
            assertEquals("keyward", Files.getOwner(home.resolve("admin-token")).getName());
        } finally {
            assertTrue(Host.stop(p, 60), "stops on SIGTERM:\n" + Files.readString(log));
        }
    }

    @Test
    void aHomeThatIsSomethingElseIsRefusedUntouched() throws Exception {
        Assumptions.assumeTrue(Host.uid() == 0, "skipped: needs root");
        Path other = Files.createDirectories(tmp.resolve("not-a-keyward-home"));
        Files.writeString(other.resolve("notes.txt"), "mine\n");
        Host.Result r = Host.run(script(other, Host.freePort(), "serve").command(),
                Map.of("JAVA_HOME", System.getProperty("java.home"), "KEYWARD_HOME", other.toString()), 120);
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("is a non-empty directory that is not a Keyward home"), r.stderr());
        assertEquals("root", Files.getOwner(other.resolve("notes.txt")).getName(), "nothing was handed over");
    }
}
