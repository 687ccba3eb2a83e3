package dev.keyward.web.service;

import dev.keyward.web.audit.AuditEntry;
import dev.keyward.web.audit.AuditLog;
import dev.keyward.web.audit.AuditQuery;
import dev.keyward.web.audit.AuditVerifier;
import dev.keyward.web.audit.VerifyResult;
import dev.keyward.web.db.Database;
import java.util.List;

/** Reads and verifies the audit log. */
public final class AuditService {
    private final Database db;

    public AuditService(Database db) {
        this.db = db;
    }

    public List<AuditEntry> page(AuditQuery q) {
        return db.read(dsl -> new AuditLog(dsl).page(q));
    }

    /** Walks the whole chain (in one read transaction, streaming). */
    public VerifyResult verify() {
        return db.transaction(tx -> new AuditVerifier(tx).verify());
    }
}
