package dev.keyward.web.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.ca.testing.Sshd;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Keycloak as the identity provider of the SSO tests: the distribution the build unpacked into
 * {@code target/keycloak} (system property {@code keyward.keycloak.home}), started once per test JVM in dev mode on
 * 127.0.0.1 and free ports, with the realm {@code src/test/resources/keycloak/keyward-realm.json} imported
 * (the users' password generated here, never committed), and stopped by its PID when the test session ends
 * ({@link TestDatabasesSession}). Without the distribution the tests that need it are skipped with that reason;
 * a distribution that does not start fails them.
 *
 * <p>The realm: users {@link #engineer()} (the Unix user running the tests, so that sshd accepts its principal) and
 * {@code denier} in the group {@code engineering}, {@code outsider} in {@code contractors}, {@code console-admin} in
 * {@code keyward-admins} and {@code nogroup} in no group (the admin console's sign-in); the public client
 * {@value #CLIENT_ID} with the device grant, PKCE S256 required, redirect URIs {@code http://127.0.0.1/*}, consent
 * required (so that a user can deny), an audience mapper ({@code aud: keyward}) and the {@code groups} claim.
 */
public final class Keycloak {
    public static final String REALM = "keyward";
    public static final String CLIENT_ID = "keyward";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(4);
    private static Keycloak instance;
    /** Why it did not start, so that later test classes fail at once instead of waiting again. */
    private static RuntimeException failure;

    private final Process process;
    private final int port;
    private final String password;
    private final Path log;

    private Keycloak(Process process, int port, String password, Path log) {
        this.process = process;
        this.port = port;
        this.password = password;
        this.log = log;
    }

    /** The one Keycloak of this test JVM, started on first use; skips the calling test without a distribution. */
    public static synchronized Keycloak shared() {
        if (failure != null) {
            throw new IllegalStateException("Keycloak did not start earlier in this run", failure);
        }
        if (instance == null) {
            Path home = Path.of(System.getProperty("keyward.keycloak.home", "target/keycloak/keycloak-26.7.3"));
            if (!Files.isRegularFile(home.resolve("bin/kc.sh"))) {
                String why = "Keycloak is not unpacked at " + home.toAbsolutePath() + " (the build ran with"
                        + " -Dkeycloak.skip=true, or org.keycloak:keycloak-quarkus-dist could not be fetched); the SSO"
                        + " tests that need it are skipped";
                System.err.println("SKIPPED: " + why);
                Assumptions.abort(why);
            }
            try {
                instance = start(home);
            } catch (RuntimeException e) {
                failure = e;
                throw e;
            }
        }
        return instance;
    }

    public String issuer() {
        return "http://127.0.0.1:" + port + "/realms/" + REALM;
    }

    /** The password of every user of the realm (generated for this run). */
    public String password() {
        return password;
    }

    /** The user in {@code engineering} whose username is the Unix user running the tests. */
    public static String engineer() {
        return Sshd.currentUser();
    }

    /**
     * The refresh grant at Keycloak's token endpoint, as the CLI's public client: the JSON answer (tokens, or
     * {@code error}), to check whether a refresh token still works.
     */
    public JsonNode refresh(String refreshToken) {
        String form = "grant_type=refresh_token&client_id=" + CLIENT_ID + "&refresh_token="
                + URLEncoder.encode(refreshToken, StandardCharsets.UTF_8);
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(issuer() + "/protocol/openid-connect/token")).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
            return Api.JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static Keycloak start(Path home) {
        try {
            // a fresh H2 database each run, so that the realm is imported as committed (start-dev keeps data/)
            Path data = home.resolve("data");
            deleteTree(data);
            Path imports = Files.createDirectories(data.resolve("import"));
            String password = randomSecret();
            String realm;
            try (InputStream in = Keycloak.class.getResourceAsStream("/keycloak/keyward-realm.json")) {
                realm = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Files.writeString(imports.resolve("keyward-realm.json"), realm.replace("@ENGINEER@", engineer())
                    .replace("@PASSWORD@", password));
            int port = freePort();
            int managementPort = freePort();
            Path log = home.resolveSibling("keycloak.log");
            // through sh: unpacking does not keep kc.sh's executable bit
            ProcessBuilder pb = new ProcessBuilder("sh", home.resolve("bin/kc.sh").toString(), "start-dev",
                    "--http-host=127.0.0.1", "--http-port=" + port, "--http-management-port=" + managementPort,
                    "--import-realm").redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
            pb.environment().remove("JAVA_OPTS_APPEND");
            Keycloak kc = new Keycloak(pb.start(), port, password, log);
            kc.awaitReady();
            return kc;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Keycloak from " + home, e);
        }
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI discovery = URI.create(issuer() + "/.well-known/openid-configuration");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Keycloak exited with " + process.exitValue() + " while starting:\n"
                        + log());
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(discovery).timeout(Duration.ofSeconds(5))
                        .build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            sleep(500);
        }
        stop();
        throw new IllegalStateException("Keycloak did not serve " + discovery + " within " + START_TIMEOUT.toMinutes()
                + " minutes:\n" + log());
    }

    /** Stops the shared Keycloak, if this JVM started one (kc.sh forwards SIGTERM to its java). */
    public static synchronized void shutdown() {
        if (instance != null) {
            instance.stop();
            instance = null;
        }
    }

    /**
     * SIGTERM to kc.sh and to Keycloak's JVM (its child; a JVM relaunched after re-augmentation included), up to 30 s
     * for them to end, then SIGKILL to whatever is left: by PID, only the process started here and its descendants.
     */
    private void stop() {
        List<ProcessHandle> all = new java.util.ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                p.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }

    private static String randomSecret() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
