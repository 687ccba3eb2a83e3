package dev.keyward.cli.testing;

import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.cert.Certificate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * An engineer with an empty home (no SSH key) in a temp dir, a 0600 token file, and a stand-in server whose user CA
 * (a {@link TestCa}) certifies whatever key it is sent, for one principal, or answers every request with a given
 * refusal: the setting of the login tests that bring a real ssh-agent or sshd. {@link #close()} stops the server.
 */
public final class EngineerHome implements AutoCloseable {
    public final Path home;
    public final TestCa ca;
    public final FakeServer server;
    public final Path tokenFile;

    private EngineerHome(Path tmp, Function<TestCa, Function<String, FakeServer.Answer>> issue) throws IOException {
        home = Files.createDirectories(tmp.resolve("home"));
        ca = new TestCa(tmp, "user_ca");
        server = new FakeServer(ca.publicKey().toOpenSsh() + "\n", issue.apply(ca));
        tokenFile = tmp.resolve("token");
        Files.writeString(tokenFile, "kwt_test_secret\n");
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
    }

    /** The server certifies every key it is sent for {@code principal}, for an hour. */
    public static EngineerHome certifyingFor(Path tmp, String principal) throws IOException {
        return new EngineerHome(tmp, ca -> body -> Cli.created(ca.sign(Certificate.builder().type(CertType.USER)
                .key(Cli.requestedKey(body)).principal(principal), 3600).toOpenSsh()));
    }

    /** The server answers every certificate request with {@code refusal}. */
    public static EngineerHome refusedWith(Path tmp, FakeServer.Answer refusal) throws IOException {
        return new EngineerHome(tmp, ca -> body -> refusal);
    }

    /** {@code keyward ARGS} with this home, {@code SSH_AUTH_SOCK} set to {@code agentSocket} unless null. */
    public Cli.Run keyward(Path agentSocket, String... args) {
        return Cli.run(home, Cli.agentEnv(agentSocket), Clock.systemUTC(), args);
    }

    /** {@code keyward login --server URL --token-file FILE EXTRA}. */
    public Cli.Run login(Path agentSocket, String... extra) {
        return keyward(agentSocket, Stream.concat(Stream.of("login", "--server", server.url(), "--token-file",
                tokenFile.toString()), Stream.of(extra)).toArray(String[]::new));
    }

    /** {@code ~/.ssh/keyward_ed25519}: where login's own key (or its public half and certificate) goes. */
    public Path keywardKey() {
        return home.resolve(".ssh/keyward_ed25519");
    }

    @Override
    public void close() {
        server.close();
    }
}
