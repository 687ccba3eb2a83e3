package dev.keyward.ca.sign;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.JcaKeys;
import dev.keyward.ca.key.SshPublicKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.Collection;
import java.util.Iterator;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.util.io.resource.PathResource;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Software CA keys in OpenSSH private-key files ({@code file:<path>}): for development, tests, and importing
 * an existing {@code ssh-keygen} CA key. Keys held here are only as safe as the file: production CA keys
 * belong in a PKCS#11 token. Ed25519 CA keys exist only here (SunPKCS11 has no EdDSA).
 *
 * <p>An encrypted key's passphrase comes from {@code KEYWARD_KEY_PASSPHRASE}; a new key is encrypted with it
 * (aes256-ctr, bcrypt KDF, as ssh-keygen does) when it is set.
 */
public final class SoftwareKeys {
    private static final Provider BC = new BouncyCastleProvider();

    private SoftwareKeys() {
    }

    /** Opens an existing OpenSSH private key file as a signer. */
    public static CaSigner open(Path path, SecretSource secrets) {
        if (!Files.isRegularFile(path)) {
            throw new InvalidInputException("CA key file " + path + " does not exist (create it with"
                    + " 'keyward-ca init --key file:" + path + "')");
        }
        KeyPair kp = read(path, secrets);
        SshPublicKey pub = JcaKeys.fromJca(kp.getPublic()).withComment(path.getFileName().toString());
        SignatureAlgorithm alg = SignatureAlgorithm.forSigning(pub.type());
        // Ed25519 via Bouncy Castle (about 4x the JDK's speed); EC and RSA via the JDK's providers.
        Provider provider = alg == SignatureAlgorithm.ED25519 ? BC : null;
        return new JcaSigner(pub, kp.getPublic(), kp.getPrivate(), provider, "file:" + path);
    }

    /** Creates a new key file (mode 0600) and its {@code .pub}; refuses to overwrite either. */
    public static CaSigner create(Path path, CaAlgorithm algorithm, SecretSource secrets) {
        Path pubPath = path.resolveSibling(path.getFileName() + ".pub");
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS) || Files.exists(pubPath, LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidInputException("refusing to overwrite existing key " + path
                    + (Files.exists(pubPath) ? " (or " + pubPath + ")" : ""));
        }
        KeyPair kp = generate(algorithm);
        SshPublicKey pub = JcaKeys.fromJca(kp.getPublic()).withComment(path.getFileName().toString());
        byte[] encoded = encode(kp, pub.comment(), secrets);
        writeNew(path, encoded, "rw-------");
        writeNew(pubPath, (pub.toOpenSsh() + "\n").getBytes(StandardCharsets.UTF_8), "rw-r--r--");
        return open(path, secrets);
    }

    /**
     * Destroys a key file: overwrites its bytes with random data, fsyncs, then deletes it and fsyncs the directory
     * (the {@code .pub} beside it stays: public keys are kept on record). On a copy-on-write or journalling file
     * system, an SSD, or a file that was copied or backed up, the old blocks may survive the overwrite: software keys
     * are for development. Returns what was done.
     */
    public static String destroy(Path path) {
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidInputException("CA key file " + path + " does not exist (or is not a regular file)");
        }
        try {
            long size = Files.size(path);
            byte[] noise = new byte[8192];
            SecureRandom random = new SecureRandom();
            try (var ch = FileChannel.open(path, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS)) {
                for (long done = 0; done < size; done += noise.length) {
                    random.nextBytes(noise);
                    ch.write(ByteBuffer.wrap(noise, 0, (int) Math.min(noise.length, size - done)), done);
                }
                ch.force(true);
            }
            Files.delete(path);
            dev.keyward.ca.io.AtomicFiles.fsyncDirectory(path.toAbsolutePath().getParent());
            return "overwrote the key file " + path + " (" + size + " bytes) with random data, fsynced and deleted it"
                    + " (its .pub stays); copies, backups and the file system's old blocks are not reached";
        } catch (IOException e) {
            throw new SignerException("cannot destroy key file " + path + ": " + e.getMessage(), e);
        }
    }

    static KeyPair generate(CaAlgorithm algorithm) {
        try {
            KeyPairGenerator g;
            switch (algorithm) {
                case ED25519 -> g = KeyPairGenerator.getInstance("Ed25519", BC);
                case ECDSA_P256 -> {
                    g = KeyPairGenerator.getInstance("EC");
                    g.initialize(new ECGenParameterSpec("secp256r1"));
                }
                case ECDSA_P384 -> {
                    g = KeyPairGenerator.getInstance("EC");
                    g.initialize(new ECGenParameterSpec("secp384r1"));
                }
                case RSA_3072, RSA_4096 -> {
                    g = KeyPairGenerator.getInstance("RSA");
                    g.initialize(algorithm.bits());
                }
                default -> throw new IllegalStateException(algorithm.name());
            }
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new SignerException("cannot generate " + algorithm + " key", e);
        }
    }

    private static byte[] encode(KeyPair kp, String comment, SecretSource secrets) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            OpenSSHKeyEncryptionContext ctx = null;
            var passphrase = secrets.get(SecretSource.KEY_PASSPHRASE_ENV);
            if (passphrase.isPresent()) {
                ctx = new OpenSSHKeyEncryptionContext();
                ctx.setCipherName("AES");
                ctx.setCipherMode("CTR");
                ctx.setCipherType("256");
                ctx.setPassword(passphrase.get());
            }
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(kp, comment, ctx, out);
            return out.toByteArray();
        } catch (IOException | GeneralSecurityException e) {
            throw new SignerException("cannot encode the new key", e);
        }
    }

    private static KeyPair read(Path path, SecretSource secrets) {
        FilePasswordProvider passwords = FilePasswordProvider.of(secrets.get(SecretSource.KEY_PASSPHRASE_ENV).orElse(null));
        try (InputStream in = Files.newInputStream(path)) {
            Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(null, new PathResource(path), in, passwords);
            Iterator<KeyPair> it = pairs == null ? java.util.Collections.emptyIterator() : pairs.iterator();
            if (!it.hasNext()) {
                throw new InvalidInputException(path + " holds no private key");
            }
            KeyPair kp = it.next();
            if (it.hasNext()) {
                throw new InvalidInputException(path + " holds more than one private key");
            }
            return kp;
        } catch (InvalidInputException e) {
            throw e;
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("CA key file " + path + " does not exist");
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (secrets.get(SecretSource.KEY_PASSPHRASE_ENV).isEmpty() && why.toLowerCase().contains("password")) {
                throw new InvalidInputException(path + " is encrypted: set " + SecretSource.KEY_PASSPHRASE_ENV, e);
            }
            throw new InvalidInputException("cannot read CA key " + path + " (wrong passphrase, or not an OpenSSH"
                    + " private key?): " + why, e);
        }
    }

    /** Writes a new file by temp file + fsync + link-without-replace, so it never half-exists or clobbers. */
    static void writeNew(Path target, byte[] content, String perms) {
        Path dir = target.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                try (var ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ch.write(ByteBuffer.wrap(content));
                    ch.force(true);
                }
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(perms));
                try {
                    Files.createLink(target, tmp); // fails if target exists: never overwrite
                } catch (UnsupportedOperationException | IOException linkFailed) {
                    if (linkFailed instanceof FileAlreadyExistsException) {
                        throw linkFailed;
                    }
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            dev.keyward.ca.io.AtomicFiles.fsyncDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            throw new InvalidInputException("refusing to overwrite existing file " + target);
        } catch (AtomicMoveNotSupportedException e) {
            throw new SignerException("cannot write " + target + " atomically", e);
        } catch (IOException e) {
            throw new InvalidInputException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    static Collection<String> supported() {
        return java.util.List.of("ed25519", "ecdsa-p256", "ecdsa-p384", "rsa-3072", "rsa-4096");
    }
}
