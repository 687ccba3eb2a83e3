package dev.keyward.cli.oidc;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.io.AtomicFiles;
import dev.keyward.ca.json.Json;
import dev.keyward.ca.json.JsonException;
import dev.keyward.ca.json.JsonObject;
import dev.keyward.cli.cert.PinKey;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code ~/.config/keyward/refresh_tokens}: per Keyward server (keyed like the CA pins, {@link PinKey}), the
 * identity provider's refresh token of the last sign-in, with the issuer and client it belongs to and the user's
 * {@code sub}. Mode 0600, written by temp file + rename; a file that its group or other users can read is refused
 * (like ssh with a private key: the token signs its holder in without a password until the provider's session
 * ends). {@link #toString()} never shows a token.
 */
public final class SavedSignIns {
    public static final String FILE_NAME = "refresh_tokens";
    private static final long MAX_BYTES = 256 * 1024;

    /** One saved sign-in. {@code subject} may be empty when the provider sent no ID token. */
    public record Saved(String issuer, String clientId, String refreshToken, String subject, Instant savedAt) {
        @Override
        public String toString() {
            return "Saved[issuer=" + issuer + ", clientId=" + clientId + ", savedAt=" + savedAt + "]";
        }
    }

    private final Path file;
    private final Map<String, Saved> byServer;

    private SavedSignIns(Path file, Map<String, Saved> byServer) {
        this.file = file;
        this.byServer = byServer;
    }

    public Path file() {
        return file;
    }

    /** Reads the file (none: nothing saved). {@code requirePrivate}: refuse a file others can read. */
    public static SavedSignIns load(Path configDir, boolean requirePrivate) {
        Path file = configDir.resolve(FILE_NAME);
        byte[] bytes;
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                    throw new InvalidInputException(file + " is not a regular file; remove it (keyward logout does)");
                }
                return new SavedSignIns(file, new LinkedHashMap<>());
            }
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            if (requirePrivate && (perms.contains(PosixFilePermission.GROUP_READ)
                    || perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.GROUP_WRITE)
                    || perms.contains(PosixFilePermission.OTHERS_WRITE))) {
                throw new InvalidInputException("refresh token file " + file + " is open to other users (mode "
                        + java.nio.file.attribute.PosixFilePermissions.toString(perms) + "); run keyward logout, which"
                        + " revokes and deletes it, and sign in again (or chmod 600 " + file + " if nobody else can"
                        + " have read it)");
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new InvalidInputException(file + " is larger than 256 KiB; delete it (keyward logout does)");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new SavedSignIns(file, new LinkedHashMap<>());
        } catch (IOException e) {
            throw new InvalidInputException("cannot read " + file + ": " + e.getMessage());
        }
        try {
            Map<String, Saved> m = Json.read(bytes, o -> {
                Map<String, Saved> read = o.objectMap("sign_ins", SavedSignIns::saved);
                return read == null ? new LinkedHashMap<>() : new LinkedHashMap<>(read);
            });
            return new SavedSignIns(file, m);
        } catch (JsonException e) {
            throw new InvalidInputException(file + " is not valid (" + e.getMessage() + "); delete it (keyward logout"
                    + " does) and sign in again");
        }
    }

    private static Saved saved(JsonObject o) throws JsonException {
        String issuer = o.string("issuer");
        String clientId = o.string("client_id");
        String token = o.string("refresh_token");
        String savedAt = o.string("saved_at");
        if (issuer == null || clientId == null || token == null || token.isEmpty() || savedAt == null) {
            throw new JsonException("a sign-in lacks issuer, client_id, refresh_token or saved_at");
        }
        Instant at;
        try {
            at = Instant.parse(savedAt);
        } catch (java.time.format.DateTimeParseException e) {
            throw new JsonException("saved_at is not a time");
        }
        String subject = o.string("subject");
        return new Saved(issuer, clientId, token, subject == null ? "" : subject, at);
    }

    /** The sign-in saved for {@code server}, if any. */
    public Optional<Saved> get(URI server) {
        return Optional.ofNullable(byServer.get(PinKey.of(server)));
    }

    /** Every saved sign-in. */
    public List<Saved> all() {
        return List.copyOf(byServer.values());
    }

    public void put(URI server, Saved s) throws IOException {
        byServer.put(PinKey.of(server), s);
        write();
    }

    public void remove(URI server) throws IOException {
        if (byServer.remove(PinKey.of(server)) != null) {
            write();
        }
    }

    /**
     * For {@code keyward logout}: removes the file (or whatever is at its name, if not a directory) and returns the
     * sign-ins it held that could be read, whatever its mode, so that they can be revoked.
     */
    public static List<Saved> takeAll(Path configDir) throws IOException {
        Path file = configDir.resolve(FILE_NAME);
        if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidInputException(file + " is a directory; remove it yourself");
        }
        List<Saved> held;
        try {
            held = load(configDir, false).all();
        } catch (InvalidInputException unreadable) {
            held = List.of(); // forgetting must work on a broken file too
        }
        Files.deleteIfExists(file);
        return held;
    }

    private void write() throws IOException {
        if (byServer.isEmpty()) {
            Files.deleteIfExists(file);
            return;
        }
        Map<String, Object> sessions = new LinkedHashMap<>();
        byServer.forEach((server, s) -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("issuer", s.issuer());
            e.put("client_id", s.clientId());
            e.put("subject", s.subject());
            e.put("refresh_token", s.refreshToken());
            e.put("saved_at", s.savedAt().toString());
            sessions.put(server, e);
        });
        Files.createDirectories(file.getParent());
        AtomicFiles.write(file, Json.write(Map.of("version", 1, "sign_ins", sessions)), "rw-------");
    }

    @Override
    public String toString() {
        return "SavedSignIns[" + file + ", servers=" + byServer.keySet() + "]";
    }
}
