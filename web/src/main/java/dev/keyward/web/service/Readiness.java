package dev.keyward.web.service;

import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SshSignatures;
import dev.keyward.web.db.Database;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Whether this node can serve: the database answers and both CA signers produce verifiable signatures. */
public final class Readiness {
    private static final Logger LOG = LoggerFactory.getLogger(Readiness.class);
    private static final byte[] PROBE = "keyward readiness probe".getBytes(StandardCharsets.US_ASCII);

    private final Database db;
    private final CaKeys keys;

    public Readiness(Database db, CaKeys keys) {
        this.db = db;
        this.keys = keys;
    }

    /** Component name to "up" or "down". */
    public Map<String, String> check() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("database", db.ping() ? "up" : "down");
        out.put("user_ca_signer", signerUp(keys.user()) ? "up" : "down");
        out.put("host_ca_signer", signerUp(keys.host()) ? "up" : "down");
        return out;
    }

    private static boolean signerUp(CaSigner signer) {
        try {
            return SshSignatures.verify(signer.publicKey(), PROBE, signer.sign(PROBE));
        } catch (RuntimeException e) {
            LOG.warn("CA signer {} is not usable: {}", signer.description(), e.toString());
            return false;
        }
    }
}
