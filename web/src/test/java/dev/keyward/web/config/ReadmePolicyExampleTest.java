package dev.keyward.web.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.cert.Certificate;
import dev.keyward.ca.cert.CertificateCodec;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.policy.Decision;
import dev.keyward.ca.policy.Identity;
import dev.keyward.ca.policy.IssuancePolicy;
import dev.keyward.ca.policy.IssueRequest;
import dev.keyward.ca.sign.CaAlgorithm;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.Signers;
import dev.keyward.ca.testing.Cmd;
import dev.keyward.web.testing.SshKeyLines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example policy of docs/operator-guide.md, read from that file itself through the server's configuration
 * loader: its {@code backup} rule gives a certificate with the forced command and source addresses and no extensions
 * at all (no pty, no port, agent or X11 forwarding, no user rc), as ssh-keygen -L reads the signed certificate.
 */
class ReadmePolicyExampleTest {
    @TempDir
    Path dir;

    /** The ```yaml block of docs/operator-guide.md that starts with {@code policy:}. */
    static String readmePolicyBlock() throws Exception {
        String readme = Files.readString(Path.of("..", "docs", "operator-guide.md"));
        Matcher m = Pattern.compile("```yaml\n(policy:\n.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(m.find(), "docs/operator-guide.md has a ```yaml block that starts with policy:");
        return m.group(1);
    }

    @Test
    void backupRuleGivesAForcedCommandCertificateWithoutPtyOrAnyForwarding() throws Exception {
        Path f = Files.writeString(dir.resolve("keyward.yaml"), "home: " + dir + "\n" + readmePolicyBlock());
        IssuancePolicy policy = IssuancePolicy.fromMap(new ConfigLoader(Map.of()).load(Optional.of(f)).policy());
        SshPublicKey key = PublicKeyParser.withDefaults().parseLine(SshKeyLines.ed25519("backup-laptop"));
        Decision d = policy.decide(new Identity("dave", Set.of(), Set.of("backup-operators")),
                new IssueRequest(CertType.USER, key, List.of(), null, null), List.of());
        assertEquals(List.of("backup"), d.principals());
        assertEquals(Set.of(), d.extensions());

        CaSigner ca = Signers.create("file:" + dir.resolve("user-ca"), CaAlgorithm.ED25519, SecretSource.of(Map.of()));
        Instant now = Instant.now();
        Certificate.Builder b = Certificate.builder().key(key).serial(1).type(CertType.USER).keyId(d.keyId())
                .principals(d.principals()).validity(now.minusSeconds(120), now.plus(d.ttl()));
        d.criticalOptions().forEach(b::criticalOption);
        d.extensions().forEach(b::extension);
        Path cert = Files.writeString(dir.resolve("backup-cert.pub"),
                CertificateCodec.sign(b.build(), ca).toOpenSsh() + "\n");
        String listing = Cmd.run(List.of("ssh-keygen", "-L", "-f", cert.toString())).orThrow().stdout();
        assertTrue(listing.contains("force-command /usr/local/bin/backup --pull"), listing);
        assertTrue(listing.contains("source-address 10.20.0.0/16,192.0.2.7"), listing);
        assertTrue(listing.matches("(?s).*Extensions: \\(none\\).*"), listing);
        for (String permit : List.of("permit-pty", "permit-port-forwarding", "permit-agent-forwarding",
                "permit-X11-forwarding", "permit-user-rc")) {
            assertTrue(!listing.contains(permit), permit + " in\n" + listing);
        }
    }
}
