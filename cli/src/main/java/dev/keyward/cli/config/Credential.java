package dev.keyward.cli.config;

import dev.keyward.ca.InvalidInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * The engineer's bearer credential: an API token {@code kwt_...} (or an OIDC token obtained elsewhere) from a token
 * file that only its owner can read, else from {@value CliEnv#TOKEN_ENV}; or the token of an SSO sign-in
 * ({@link #ofSignIn}). Never from a command-line argument (other users see those in {@code ps}) and never printed:
 * {@link #toString()} hides it.
 */
public final class Credential {
    private static final long MAX_BYTES = 16 * 1024;
    private final String value;
    private final boolean signIn;

    private Credential(String value, boolean signIn) {
        this.value = value;
        this.signIn = signIn;
    }

    public String value() {
        return value;
    }

    /** Whether it comes from an SSO sign-in rather than a token file or the environment. */
    public boolean fromSignIn() {
        return signIn;
    }

    /** The identity provider's token from a sign-in. */
    public static Credential ofSignIn(String token) {
        return new Credential(checked(token).value, true);
    }

    @Override
    public String toString() {
        return "Credential[hidden]";
    }

    /** From {@code tokenFile} when given, else the environment; a clear error when there is neither. */
    public static Credential resolve(Optional<Path> tokenFile, CliEnv env) {
        return find(tokenFile, env).orElseThrow(() -> new InvalidInputException("no token: pass --token-file FILE"
                + " (mode 0600) or set " + CliEnv.TOKEN_ENV));
    }

    /** From {@code tokenFile} when given (it must then be usable), else the environment; empty with neither. */
    public static Optional<Credential> find(Optional<Path> tokenFile, CliEnv env) {
        if (tokenFile.isPresent()) {
            return Optional.of(fromFile(tokenFile.get()));
        }
        return env.get(CliEnv.TOKEN_ENV).map(String::strip).filter(t -> !t.isEmpty()).map(Credential::checked);
    }

    static Credential fromFile(Path file) {
        byte[] bytes;
        try {
            if (!Files.isRegularFile(file)) {
                throw new InvalidInputException("token file " + file + " is not a regular file");
            }
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            // Like ssh with private keys: a token other local users can read is not a secret any more.
            if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.GROUP_READ)) {
                throw new InvalidInputException("token file " + file + " is readable by other users; chmod 600 "
                        + file + " (and ask for a new token if others may have read it)");
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new InvalidInputException("token file " + file + " is larger than 16 KiB; it should hold"
                        + " only the token");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("token file " + file + " does not exist");
        } catch (IOException e) {
            throw new InvalidInputException("cannot read token file " + file + ": " + e.getClass().getSimpleName());
        }
        try {
            String token = new String(bytes, StandardCharsets.UTF_8).strip();
            if (token.isEmpty()) {
                throw new InvalidInputException("token file " + file + " is empty");
            }
            return checked(token);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** A token goes into an HTTP header: one line of visible ASCII, or the header would be malformed. */
    private static Credential checked(String token) {
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new InvalidInputException("the token holds a character that cannot be in a bearer token"
                        + " (space, control or non-ASCII character at position " + (i + 1) + ")");
            }
        }
        return new Credential(token, false);
    }
}
