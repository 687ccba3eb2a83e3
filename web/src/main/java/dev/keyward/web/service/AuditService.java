package dev.keyward.web.service;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.web.audit.AuditEntry;
import dev.keyward.web.audit.AuditLog;
import dev.keyward.web.audit.AuditProblem;
import dev.keyward.web.audit.AuditQuery;
import dev.keyward.web.audit.AuditReport;
import dev.keyward.web.audit.AuditVerifier;
import dev.keyward.web.audit.Checkpoint;
import dev.keyward.web.audit.CheckpointCheck;
import dev.keyward.web.audit.CheckpointDao;
import dev.keyward.web.audit.CheckpointFile;
import dev.keyward.web.audit.CheckpointSummary;
import dev.keyward.web.audit.VerifyResult;
import dev.keyward.web.db.AuditKeyDao;
import dev.keyward.web.db.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * Reads and verifies the audit log: the hash chain, then the chain against every checkpoint, stored ones and those
 * in the sink file (and in files given to {@code audit verify --checkpoints}). Checkpoint signatures are checked
 * under the audit key as its token holds it (opened at start-up from {@code audit.key} or its default place,
 * never from a reference only the database gives), not under the public key recorded in {@code audit_keys},
 * which whoever can write the database could replace; a recorded key that differs from the token's is itself
 * reported.
 */
public final class AuditService {
    private final Database db;
    private final Optional<AuditKey> key;
    private final Optional<Path> sinkFile;

    public AuditService(Database db, Optional<AuditKey> key, Optional<Path> sinkFile) {
        this.db = db;
        this.key = key;
        this.sinkFile = sinkFile;
    }

    public List<AuditEntry> page(AuditQuery q) {
        return db.read(dsl -> new AuditLog(dsl).page(q));
    }

    /** The audit key checkpoints are signed with, when there is one. */
    public Optional<AuditKey> auditKey() {
        return key;
    }

    /** Walks the hash chain alone (in one read transaction, streaming). */
    public VerifyResult verifyChain() {
        return db.transaction(tx -> new AuditVerifier(tx).verify());
    }

    /** The chain and every checkpoint, against the audit key. */
    public AuditReport verify() {
        return verify(List.of(), List.of());
    }

    /**
     * The chain and every checkpoint, also those in {@code files}; with {@code keys}, checkpoints must be signed by
     * one of those keys instead of the token's audit key (an auditor's own copy of the public key).
     */
    public AuditReport verify(List<Path> files, List<SshPublicKey> keys) {
        List<SshPublicKey> trusted = keys.isEmpty() ? key.map(k -> List.of(k.signer().publicKey())).orElse(List.of())
                : List.copyOf(keys);
        List<CheckpointCheck.Sourced> evidence = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<Path> given = files.stream().map(f -> f.toAbsolutePath().normalize()).toList();
        LinkedHashSet<Path> paths = new LinkedHashSet<>();
        sinkFile.ifPresent(f -> paths.add(f.toAbsolutePath().normalize()));
        paths.addAll(given);
        for (Path f : paths) {
            if (!given.contains(f) && !Files.exists(f)) {
                notes.add("the checkpoint sink file " + f + " does not exist on this host");
                continue;
            }
            CheckpointFile.Read read;
            try {
                read = CheckpointFile.read(f);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read checkpoints from " + f + ": " + e.getMessage(), e);
            }
            evidence.addAll(read.checkpoints());
            sources.add(f + ": " + read.checkpoints().size());
            if (read.otherLines() > 0) {
                notes.add(f + ": " + read.otherLines() + " line(s) without a checkpoint were skipped");
            }
            if (read.malformedCount() > 0) {
                notes.add(f + ": " + read.malformedCount() + " checkpoint line(s) are not well-formed and were"
                        + " skipped (a crash can cut the last line short): " + String.join("; ", read.malformed()));
            }
        }
        return db.transaction(tx -> {
            VerifyResult chain = new AuditVerifier(tx).verify();
            CheckpointDao dao = new CheckpointDao(tx);
            List<AuditProblem> problems = new ArrayList<>();
            if (!chain.ok()) {
                problems.add(AuditProblem.of("chain", chain.firstBadSeq().orElseThrow(), chain.problem().orElseThrow()));
            }
            List<CheckpointDao.Row> rows = dao.all();
            for (CheckpointDao.Row r : rows) {
                try {
                    evidence.add(new CheckpointCheck.Sourced(Checkpoint.parse(r.line()), CheckpointCheck.DATABASE));
                } catch (InvalidInputException e) {
                    problems.add(AuditProblem.of("bad_signature", r.seq(), "audit_checkpoints row " + r.id()
                            + " is not a checkpoint the audit key signed: " + e.getMessage()));
                }
            }
            sources.add(0, CheckpointCheck.DATABASE + ": " + rows.size());
            if (keys.isEmpty() && key.isPresent()) {
                new AuditKeyDao(tx).active().filter(row -> !row.fingerprint().equals(key.get().fingerprint()))
                        .ifPresent(row -> problems.add(AuditProblem.of("audit_key", "the audit key recorded in the"
                                + " database (" + row.fingerprint() + ") is not the audit key in the token ("
                                + key.get().fingerprint() + "): audit_keys was changed")));
            }
            if (trusted.isEmpty() && !evidence.isEmpty()) {
                problems.add(AuditProblem.of("audit_key", "there is no audit key to check " + evidence.size()
                        + " checkpoint(s) against"));
                evidence.clear();
            }
            long lastEntry = dao.lastEntry();
            CheckpointCheck.Outcome o = CheckpointCheck.check(evidence, trusted, lastEntry, dao::hashesAt);
            problems.addAll(o.problems());
            notes.addAll(o.notes());
            if (o.newest().isEmpty()) {
                if (lastEntry > 0) {
                    notes.add("no checkpoint covers the chain yet: until one does, deleting its newest entries"
                            + " cannot be detected");
                }
            } else if (o.newest().get().seq() < lastEntry) {
                long first = o.newest().get().seq() + 1;
                notes.add((first == lastEntry ? "entry " + first + " is" : "entries " + first + " to " + lastEntry
                        + " are") + " newer than the newest checkpoint (" + o.newest().get().describe() + ")");
            }
            return new AuditReport(chain, new CheckpointSummary(trusted.stream().map(SshPublicKey::fingerprint)
                    .toList(), sources, o.verified(), o.superseded(), o.newest()), problems, notes);
        });
    }
}
