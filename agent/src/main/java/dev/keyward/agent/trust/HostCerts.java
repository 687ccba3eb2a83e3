package dev.keyward.agent.trust;

import dev.keyward.agent.fs.FileSpec;
import dev.keyward.agent.fs.SafeFiles;
import dev.keyward.agent.sync.InvalidStateException;
import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.cert.Certificate;
import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Host keys ({@code /etc/ssh/ssh_host_*_key.pub}) and their certificates ({@code ..._key-cert.pub}). A
 * certificate is due for renewal when it is missing, unreadable, for another key, not a host certificate, has
 * less than a third of its lifetime left, or is one Keyward would not issue (a valid OpenSSH certificate with, say,
 * a key ID with spaces or no principals: readable, and replaced because of what it is). New certificates are
 * checked as a set (signature, type, subject key, validity now, issuable by Keyward) before any is installed.
 */
public final class HostCerts {
    private final SafeFiles files;
    private final String glob;

    public HostCerts(SafeFiles files, String glob) {
        this.files = files;
        this.glob = glob;
    }

    /** A host key and where its certificate goes (host paths). */
    public record HostKey(String pubPath, String certPath, SshPublicKey key) {
        public String line() {
            return key.toOpenSshWithoutComment();
        }
    }

    /** A host key's certificate state. */
    public record Status(HostKey key, Optional<SignedCertificate> cert, boolean due, String why) {
    }

    public List<HostKey> hostKeys() throws IOException {
        int slash = glob.lastIndexOf('/');
        String dirHost = glob.substring(0, slash);
        String pattern = glob.substring(slash + 1);
        Path dir = files.paths().resolve(dirHost.isEmpty() ? "/" : dirHost);
        List<HostKey> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, pattern)) {
            ds.forEach(found::add);
        }
        found.sort(null);
        PublicKeyParser parser = PublicKeyParser.withDefaults();
        for (Path p : found) {
            String name = p.getFileName().toString();
            if (name.endsWith("-cert.pub") || !name.endsWith(".pub") || Files.isSymbolicLink(p)) {
                continue;
            }
            String hostPath = files.paths().hostPath(p);
            Optional<byte[]> content = files.readSystemFile(hostPath);
            if (content.isEmpty()) {
                continue;
            }
            try {
                SshPublicKey key = parser.parseLine(new String(content.get(), StandardCharsets.UTF_8).strip());
                out.add(new HostKey(hostPath, hostPath.substring(0, hostPath.length() - ".pub".length()) + "-cert.pub",
                        key));
            } catch (InvalidInputException e) {
                // a host key Keyward cannot certify (DSA, say): left alone
            }
        }
        return out;
    }

    public List<Status> status(Instant now, boolean renewNow) throws IOException {
        List<Status> out = new ArrayList<>();
        for (HostKey k : hostKeys()) {
            Optional<byte[]> c = files.readSystemFile(k.certPath());
            if (c.isEmpty()) {
                out.add(new Status(k, Optional.empty(), true, "no certificate"));
                continue;
            }
            SignedCertificate cert;
            try {
                cert = CertificateCodec.decodeLine(new String(c.get(), StandardCharsets.UTF_8));
            } catch (InvalidInputException e) {
                out.add(new Status(k, Optional.empty(), true, "certificate unreadable: " + e.getMessage()));
                continue;
            }
            String why = dueReason(k, cert, now);
            if (why.isEmpty() && renewNow) {
                why = "the server asked for renewal";
            }
            out.add(new Status(k, Optional.of(cert), !why.isEmpty(), why));
        }
        return out;
    }

    static String dueReason(HostKey k, SignedCertificate cert, Instant now) {
        var c = cert.certificate();
        if (c.type() != CertType.HOST) {
            return "not a host certificate";
        }
        if (!c.key().equals(k.key())) {
            return "certificate is for another key";
        }
        long after = c.validAfter();
        long before = c.validBefore();
        if (before == -1L) {
            return notIssuable(c); // valid forever
        }
        long t = now.getEpochSecond();
        if (Long.compareUnsigned(t, before) >= 0) {
            return "expired";
        }
        long lifetime = before - after;
        if ((before - t) * 3 < lifetime) {
            return "less than a third of its lifetime left";
        }
        return notIssuable(c);
    }

    /** Empty, or why Keyward would not issue this certificate (its first warning). */
    private static String notIssuable(Certificate c) {
        return c.warnings().isEmpty() ? "" : "not a certificate Keyward would issue: " + c.warnings().get(0);
    }

    /**
     * Installs certificates received for {@code requested}: all are checked first; any bad one rejects the
     * whole set. Returns the host paths written.
     */
    public List<String> install(List<String> certLines, List<HostKey> requested, Instant now)
            throws IOException, InvalidStateException {
        Map<HostKey, String> toWrite = new LinkedHashMap<>();
        for (String line : certLines == null ? List.<String>of() : certLines) {
            SignedCertificate cert;
            try {
                cert = CertificateCodec.decodeLine(line);
            } catch (InvalidInputException e) {
                throw new InvalidStateException("the server sent an invalid host certificate: " + e.getMessage());
            }
            var c = cert.certificate();
            if (c.type() != CertType.HOST) {
                throw new InvalidStateException("the server sent a user certificate where a host certificate belongs");
            }
            HostKey target = requested.stream().filter(k -> k.key().equals(c.key())).findFirst().orElseThrow(() ->
                    new InvalidStateException("the server sent a certificate for a key this host did not ask about"));
            if (!c.isValidAt(now.getEpochSecond())) {
                throw new InvalidStateException("the server sent a host certificate that is not valid now");
            }
            if (c.principals().isEmpty()) {
                throw new InvalidStateException("the server sent a host certificate without principals");
            }
            if (!c.warnings().isEmpty()) {
                throw new InvalidStateException("the server sent a host certificate Keyward would not issue: "
                        + c.warnings().get(0));
            }
            toWrite.put(target, line.strip() + "\n");
        }
        List<String> written = new ArrayList<>();
        for (var e : toWrite.entrySet()) {
            if (files.writeSystemFile(e.getKey().certPath(), e.getValue().getBytes(StandardCharsets.UTF_8),
                    FileSpec.rootOwned(0644, 0))) {
                written.add(e.getKey().certPath());
            }
        }
        return written;
    }
}
