package dev.keyward.cli.sshconfig;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.io.AtomicFiles;
import dev.keyward.cli.ssh.UserKeys;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Writes an {@link SshSetup}: each file by temp file + fsync + rename ({@link AtomicFiles}), only when its bytes
 * change (so a second run changes nothing, not even a timestamp), and a file that exists is first copied to
 * {@code FILE.keyward-backup-<UTC time>} with its mode. {@code ~/.ssh/config} is only ever given one line at its
 * top, {@code Include ~/.ssh/keyward/config}, followed by its previous bytes exactly as they were; a file that
 * already includes the block, wherever the line is, is left alone. A {@code ~/.ssh/config} that is a symbolic link
 * (dotfile managers) is edited where it points, and left a link.
 */
public final class SshConfigInstaller {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private SshConfigInstaller() {
    }

    /** Writes what changed; one line per file saying what was done. */
    public static List<String> install(SshSetup s, Instant now) {
        try {
            UserKeys.makeSshDir(s.sshDir());
            UserKeys.makeSshDir(s.dir());
            List<String> done = new ArrayList<>();
            done.add(replace(s.knownHostsFile(), s.knownHosts(), now));
            done.add(replace(s.blockFile(), s.block(), now));
            done.add(addInclude(s.userConfig(), now));
            return done;
        } catch (IOException e) {
            throw new InvalidInputException("cannot write the ssh configuration: " + e.getMessage());
        }
    }

    /** Replaces a file of ours (mode 0644: ssh refuses config files others can write) when its content changed. */
    static String replace(Path file, String content, Instant now) throws IOException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Arrays.equals(Files.readAllBytes(file), bytes)) {
            return file + ": unchanged";
        }
        String backup = Files.exists(file, LinkOption.NOFOLLOW_LINKS) ? " (previous version in "
                + backup(file, now) + ")" : "";
        AtomicFiles.write(file, bytes, "rw-r--r--");
        return file + ": written" + backup;
    }

    static String addInclude(Path config, Instant now) throws IOException {
        String line = SshSetup.includeLine();
        if (!Files.exists(config, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(config)) {
            AtomicFiles.write(config, (line + "\n").getBytes(StandardCharsets.UTF_8), "rw-------");
            return config + ": created with the line '" + line + "'";
        }
        Path target = Files.isSymbolicLink(config) ? config.toRealPath() : config;
        if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidInputException(config + " is not a regular file; add the line '" + line + "' at its top"
                    + " yourself");
        }
        byte[] old = Files.readAllBytes(target);
        if (includesBlock(old, config.getParent())) {
            return config + ": already includes " + SshSetup.INCLUDE_TARGET + ", unchanged";
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(target, LinkOption.NOFOLLOW_LINKS);
        Path backup = backup(target, now);
        ByteArrayOutputStream b = new ByteArrayOutputStream(old.length + line.length() + 2);
        b.writeBytes((line + (firstLineEndsWithCrLf(old) ? "\r\n" : "\n")).getBytes(StandardCharsets.UTF_8));
        b.writeBytes(old);
        try {
            AtomicFiles.write(target, b.toByteArray(), mode);
        } catch (IOException e) {
            throw new InvalidInputException("cannot write " + target + " (" + e.getMessage() + "); add the line '"
                    + line + "' at the top of " + config + " yourself");
        }
        return config + ": added '" + line + "' as its first line, the rest unchanged (backup in " + backup + ")";
    }

    /**
     * Whether some line of {@code config} is an {@code Include} of the block: {@code ~/.ssh/keyward/config}, its
     * absolute path, or {@code keyward/config} (relative names are under {@code ~/.ssh}, ssh_config(5) "Include").
     */
    static boolean includesBlock(byte[] config, Path sshDir) {
        // ISO-8859-1 maps every byte to a char: a file in any encoding reads without error, ASCII keywords intact
        String text = new String(config, StandardCharsets.ISO_8859_1);
        Set<String> ours = Set.of(SshSetup.INCLUDE_TARGET, "keyward/config",
                sshDir.resolve("keyward/config").toAbsolutePath().normalize().toString());
        for (String raw : text.split("\r?\n")) {
            String[] f = raw.strip().split("[\\s=]+");
            if (f.length >= 2 && f[0].equalsIgnoreCase("include")) {
                for (int i = 1; i < f.length; i++) {
                    if (ours.contains(f[i].replace("\"", ""))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static boolean firstLineEndsWithCrLf(byte[] b) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '\n') {
                return i > 0 && b[i - 1] == '\r';
            }
        }
        return false;
    }

    /** Copies {@code file} (bytes and mode) beside itself under a name no earlier backup has. */
    static Path backup(Path file, Instant now) throws IOException {
        String base = file.getFileName() + ".keyward-backup-" + STAMP.format(now);
        Path backup = file.resolveSibling(base);
        for (int i = 2; Files.exists(backup, LinkOption.NOFOLLOW_LINKS); i++) {
            backup = file.resolveSibling(base + "-" + i);
        }
        AtomicFiles.write(backup, Files.readAllBytes(file), Files.getPosixFilePermissions(file));
        return backup;
    }
}
