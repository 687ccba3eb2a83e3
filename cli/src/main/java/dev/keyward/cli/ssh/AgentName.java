package dev.keyward.cli.ssh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which program answers at {@code SSH_AUTH_SOCK}, for the warning about an agent that cannot hold certificates.
 * On Linux, the process that holds the listening socket: its inode from {@code /proc/net/unix}, then the process
 * with a file descriptor on it ({@code /proc/PID/fd}) and its name ({@code /proc/PID/comm}). Elsewhere, or when
 * that process is not ours to inspect, a guess from the socket's name (gpg-agent's {@code S.gpg-agent.ssh},
 * 1Password, yubikey-agent, Secretive, GNOME Keyring, Pageant).
 */
public final class AgentName {
    /** {@code __SO_ACCEPTCON} in the Flags column of /proc/net/unix: a listening socket. */
    private static final int SO_ACCEPTCON = 0x10000;
    /** A bound on the processes looked at (a machine with more is not worth the time here). */
    private static final int MAX_PROCESSES = 20_000;

    private static final List<String[]> KNOWN = List.of(
            new String[] {"s.gpg-agent.ssh", "gpg-agent"},
            new String[] {"1password", "1Password's SSH agent"},
            new String[] {"yubikey-agent", "yubikey-agent"},
            new String[] {"secretive", "Secretive"},
            new String[] {"/keyring/ssh", "GNOME Keyring"},
            new String[] {"pageant", "Pageant"});

    private AgentName() {
    }

    /** E.g. {@code gpg-agent (pid 1234)}, {@code probably gpg-agent (by its socket's name)}, or empty. */
    public static Optional<String> describe(Path socket) {
        return listener(Path.of("/proc"), socket).or(() -> guess(socket));
    }

    static Optional<String> guess(Path socket) {
        String s = socket.toString().toLowerCase(Locale.ROOT);
        return KNOWN.stream().filter(k -> s.contains(k[0])).findFirst()
                .map(k -> "probably " + k[1] + " (by its socket's name)");
    }

    static Optional<String> listener(Path proc, Path socket) {
        Set<String> inodes = listeningInodes(proc, socket);
        if (inodes.isEmpty()) {
            return Optional.empty();
        }
        Set<String> links = inodes.stream().map(i -> "socket:[" + i + "]").collect(Collectors.toSet());
        int seen = 0;
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, "[0-9]*")) {
            for (Path pid : pids) {
                if (++seen > MAX_PROCESSES) {
                    break;
                }
                if (holdsOne(pid.resolve("fd"), links)) {
                    String comm = Files.readString(pid.resolve("comm"), StandardCharsets.UTF_8).strip();
                    return Optional.of(dev.keyward.cli.server.Printable.clean(comm, 64) + " (pid "
                            + pid.getFileName() + ")");
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // no /proc (not Linux), or it vanished while we looked: fall back to a guess
        }
        return Optional.empty();
    }

    private static boolean holdsOne(Path fdDir, Set<String> links) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
            for (Path fd : fds) {
                try {
                    if (links.contains(Files.readSymbolicLink(fd).toString())) {
                        return true;
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor was closed between listing and reading: not the one we look for
                }
            }
        } catch (IOException notOurs) {
            // another user's process (or gone): not inspectable, so not the agent we can name
        }
        return false;
    }

    /** Inodes of listening sockets bound to {@code socket} (as given, and with symbolic links resolved). */
    static Set<String> listeningInodes(Path proc, Path socket) {
        Set<String> paths = new java.util.HashSet<>(Set.of(socket.toAbsolutePath().normalize().toString()));
        try {
            paths.add(socket.toRealPath().toString());
        } catch (IOException ignored) {
            // not there (any more): the path as given is all there is to match
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(proc.resolve("net/unix"), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return Set.of();
        }
        // Num RefCount Protocol Flags Type St Inode Path
        return lines.stream().skip(1).map(l -> l.strip().split("\\s+", 8))
                .filter(f -> f.length == 8 && paths.contains(f[7]) && listening(f[3]))
                .map(f -> f[6]).collect(Collectors.toSet());
    }

    private static boolean listening(String flags) {
        try {
            return (Integer.parseInt(flags, 16) & SO_ACCEPTCON) != 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
