package dev.keyward.web.testing;

import dev.keyward.ca.testing.Cmd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/** The host side of end-to-end tests with the real agent: a {@code --root} tree, and a host registered for it. */
public final class AgentRoots {
    private AgentRoots() {
    }

    /**
     * A tree at {@code root} whose {@code /etc/passwd} lists {@code user} with this process's uid and a home
     * ({@code /home/USER}, 0755), and with an Ed25519 host key in {@code /etc/ssh}.
     */
    public static Path withUser(Path root, String user) throws IOException {
        Path home = Files.createDirectories(root.resolve("home/" + user));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        Files.writeString(Files.createDirectories(root.resolve("etc")).resolve("passwd"),
                user + ":x:" + uid + ":" + uid + ":" + user + ":/home/" + user + ":/bin/sh\n");
        Cmd.sshKeygen(Files.createDirectories(root.resolve("etc/ssh")), "ssh_host_ed25519_key", "ed25519", 0);
        return root;
    }

    /** Registers {@code hostname} through the API and writes its join token to {@code tokenFile}, returned. */
    public static Path register(TestServer server, String hostname, Path tokenFile) throws IOException {
        Api.Resp host = server.api().post("/api/v1/hosts", server.adminToken(), Map.of("hostname", hostname));
        if (host.status() != 201) {
            throw new AssertionError("registering " + hostname + " failed: " + host);
        }
        return Files.writeString(tokenFile, host.json().get("join_token").asText());
    }
}
