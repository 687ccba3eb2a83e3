package dev.keyward.web.service;

import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SignerUnavailableException;
import dev.keyward.ca.sign.SshSignatures;
import dev.keyward.web.db.Database;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this node can serve: the database answers and both CA signers and the audit key produce verifiable
 * signatures (the audit key signs the audit chain's checkpoints; a node that cannot sign them would leave the newest
 * entries unprotected). A signer
 * that lost its token says why and that it is reconnecting ({@link SignerUnavailableException}); the probe
 * signature is also what notices a lost token when no certificate is being issued.
 */
public final class Readiness {
    private static final Logger LOG = LoggerFactory.getLogger(Readiness.class);
    private static final byte[] PROBE = "keyward readiness probe".getBytes(StandardCharsets.US_ASCII);
    private static final String UP = "up";
    private static final String DOWN = "down";

    private final Database db;
    private final CaKeys keys;
    private final AuditKey audit;

    public Readiness(Database db, CaKeys keys, AuditKey audit) {
        this.db = db;
        this.keys = keys;
        this.audit = audit;
    }

    /**
     * One check.
     *
     * @param checks  component name ({@code database}, {@code user_ca_signer}, {@code host_ca_signer},
     *                {@code audit_signer}) to {@code up} or {@code down}
     * @param reasons for each component that is down, why (no secrets)
     */
    public record Report(Map<String, String> checks, Map<String, String> reasons) {
        public boolean ready() {
            return reasons.isEmpty();
        }
    }

    public Report check() {
        Map<String, String> checks = new LinkedHashMap<>();
        Map<String, String> reasons = new LinkedHashMap<>();
        put(checks, reasons, "database", db.ping() ? null : "the database does not answer");
        put(checks, reasons, "user_ca_signer", signerDown(keys.user()));
        put(checks, reasons, "host_ca_signer", signerDown(keys.host()));
        put(checks, reasons, "audit_signer", signerDown(audit.signer()));
        return new Report(checks, reasons);
    }

    private static void put(Map<String, String> checks, Map<String, String> reasons, String name, String down) {
        checks.put(name, down == null ? UP : DOWN);
        if (down != null) {
            reasons.put(name, down);
        }
    }

    /** Null when the signer signs verifiably, else why not. */
    private static String signerDown(CaSigner signer) {
        try {
            return SshSignatures.verify(signer.publicKey(), PROBE, signer.sign(PROBE)) ? null
                    : "its signature does not verify with its public key";
        } catch (SignerUnavailableException e) {
            return e.getMessage();
        } catch (RuntimeException e) {
            LOG.warn("Signer {} is not usable", signer.description(), e);
            return "signing failed (the server log has details)";
        }
    }
}
