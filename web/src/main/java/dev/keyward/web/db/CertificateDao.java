package dev.keyward.web.db;

import static dev.keyward.web.db.jooq.Sequences.CERT_SERIAL_SEQ;
import static dev.keyward.web.db.jooq.Tables.CERTIFICATES;
import static dev.keyward.web.db.jooq.Tables.CERTIFICATE_PRINCIPALS;

import dev.keyward.ca.cert.CertType;
import dev.keyward.web.db.jooq.tables.records.CertificatesRecord;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record2;
import org.jooq.ResultQuery;
import org.jooq.impl.DSL;

/** Issued certificates and their principals. */
public final class CertificateDao {
    private final DSLContext tx;

    public CertificateDao(DSLContext tx) {
        this.tx = tx;
    }

    /** The next serial from the shared sequence: unique across every server node. */
    public long nextSerial() {
        return tx.nextval(CERT_SERIAL_SEQ);
    }

    /** {@code n} serials from the shared sequence in one round trip. */
    public List<Long> nextSerials(int n) {
        return tx.select(CERT_SERIAL_SEQ.nextval()).from(DSL.generateSeries(1, n)).fetch(0, Long.class);
    }

    /** Inserts several certificates and their principals with one multi-row insert per table. */
    public void insertAll(List<IssuedCert> certs) {
        if (certs.isEmpty()) {
            return;
        }
        var insert = tx.insertInto(CERTIFICATES, CERTIFICATES.SERIAL, CERTIFICATES.CERT_TYPE, CERTIFICATES.CA_KEY_ID,
                CERTIFICATES.KEY_ID, CERTIFICATES.KEY_FINGERPRINT, CERTIFICATES.PUBLIC_KEY, CERTIFICATES.REQUESTER,
                CERTIFICATES.TOKEN_ID, CERTIFICATES.VALID_AFTER, CERTIFICATES.VALID_BEFORE, CERTIFICATES.ISSUED_AT,
                CERTIFICATES.CERTIFICATE);
        var principals = tx.insertInto(CERTIFICATE_PRINCIPALS, CERTIFICATE_PRINCIPALS.SERIAL,
                CERTIFICATE_PRINCIPALS.PRINCIPAL);
        for (IssuedCert c : certs) {
            insert = insert.values(c.serial(), c.type().label(), c.caKeyId(), c.keyId(), c.keyFingerprint(),
                    c.publicKey(), c.requester(), c.tokenId().orElse(null), TokenDao.utc(c.validAfter()),
                    TokenDao.utc(c.validBefore()), TokenDao.utc(c.issuedAt()), c.certificate());
            for (String p : c.principals()) {
                principals = principals.values(c.serial(), p);
            }
        }
        insert.execute();
        principals.execute();
    }

    public void insert(IssuedCert c) {
        tx.insertInto(CERTIFICATES)
                .set(CERTIFICATES.SERIAL, c.serial())
                .set(CERTIFICATES.CERT_TYPE, c.type().label())
                .set(CERTIFICATES.CA_KEY_ID, c.caKeyId())
                .set(CERTIFICATES.KEY_ID, c.keyId())
                .set(CERTIFICATES.KEY_FINGERPRINT, c.keyFingerprint())
                .set(CERTIFICATES.PUBLIC_KEY, c.publicKey())
                .set(CERTIFICATES.REQUESTER, c.requester())
                .set(CERTIFICATES.TOKEN_ID, c.tokenId().orElse(null))
                .set(CERTIFICATES.VALID_AFTER, TokenDao.utc(c.validAfter()))
                .set(CERTIFICATES.VALID_BEFORE, TokenDao.utc(c.validBefore()))
                .set(CERTIFICATES.ISSUED_AT, TokenDao.utc(c.issuedAt()))
                .set(CERTIFICATES.CERTIFICATE, c.certificate())
                .execute();
        var insert = tx.insertInto(CERTIFICATE_PRINCIPALS, CERTIFICATE_PRINCIPALS.SERIAL, CERTIFICATE_PRINCIPALS.PRINCIPAL);
        for (String p : c.principals()) {
            insert = insert.values(c.serial(), p);
        }
        insert.execute();
    }

    public Optional<IssuedCert> find(long serial) {
        CertificatesRecord r = tx.selectFrom(CERTIFICATES).where(CERTIFICATES.SERIAL.eq(serial)).fetchOne();
        if (r == null) {
            return Optional.empty();
        }
        return Optional.of(toCert(r, principals(List.of(serial)).getOrDefault(serial, List.of())));
    }

    public List<IssuedCert> list(CertQuery q, Instant now) {
        Condition c = DSL.noCondition();
        OffsetDateTime t = TokenDao.utc(now);
        if (q.status().isPresent()) {
            c = c.and(switch (q.status().get()) {
                case "revoked" -> CERTIFICATES.REVOKED_AT.isNotNull();
                case "expired" -> CERTIFICATES.REVOKED_AT.isNull().and(CERTIFICATES.VALID_BEFORE.le(t));
                default -> CERTIFICATES.REVOKED_AT.isNull().and(CERTIFICATES.VALID_BEFORE.gt(t));
            });
        }
        if (q.requester().isPresent()) {
            c = c.and(CERTIFICATES.REQUESTER.eq(q.requester().get()));
        }
        if (q.principal().isPresent()) {
            c = c.and(DSL.exists(DSL.selectOne().from(CERTIFICATE_PRINCIPALS)
                    .where(CERTIFICATE_PRINCIPALS.SERIAL.eq(CERTIFICATES.SERIAL))
                    .and(CERTIFICATE_PRINCIPALS.PRINCIPAL.eq(q.principal().get()))));
        }
        if (q.beforeSerial().isPresent()) {
            c = c.and(CERTIFICATES.SERIAL.lt(q.beforeSerial().get()));
        }
        List<CertificatesRecord> rows = tx.selectFrom(CERTIFICATES).where(c).orderBy(CERTIFICATES.SERIAL.desc())
                .limit(q.limit()).offset(q.offset()).fetch();
        Map<Long, List<String>> principals = principals(rows.stream().map(CertificatesRecord::getSerial).toList());
        return rows.stream().map(r -> toCert(r, principals.getOrDefault(r.getSerial(), List.of()))).toList();
    }

    /** Marks one certificate revoked; false if it does not exist or is already revoked. */
    public boolean revoke(long serial, String reason, Instant at) {
        return tx.update(CERTIFICATES)
                .set(CERTIFICATES.REVOKED_AT, TokenDao.utc(at))
                .set(CERTIFICATES.REVOCATION_REASON, reason)
                .where(CERTIFICATES.SERIAL.eq(serial).and(CERTIFICATES.REVOKED_AT.isNull()))
                .execute() == 1;
    }

    /** Marks every unrevoked certificate of a subject key revoked; returns how many. */
    public int revokeByFingerprint(String fingerprint, String reason, Instant at) {
        return tx.update(CERTIFICATES)
                .set(CERTIFICATES.REVOKED_AT, TokenDao.utc(at))
                .set(CERTIFICATES.REVOCATION_REASON, reason)
                .where(CERTIFICATES.KEY_FINGERPRINT.eq(fingerprint).and(CERTIFICATES.REVOKED_AT.isNull()))
                .execute();
    }

    /** Marks every unrevoked certificate with this key ID revoked; returns how many. */
    public int revokeByKeyId(String keyId, String reason, Instant at) {
        return tx.update(CERTIFICATES)
                .set(CERTIFICATES.REVOKED_AT, TokenDao.utc(at))
                .set(CERTIFICATES.REVOCATION_REASON, reason)
                .where(CERTIFICATES.KEY_ID.eq(keyId).and(CERTIFICATES.REVOKED_AT.isNull()))
                .execute();
    }

    /** Revoked serials grouped by the CA key that signed them, for the KRL. */
    /** Serials of revoked certificates still valid at {@code expiredBefore} (the others need no KRL entry). */
    public Map<Long, TreeSet<Long>> revokedSerialsByCaKey(Instant expiredBefore) {
        Map<Long, TreeSet<Long>> out = new TreeMap<>();
        revokedSerialsQuery(expiredBefore).fetch()
                .forEach(r -> out.computeIfAbsent(r.value1(), k -> new TreeSet<>()).add(r.value2()));
        return out;
    }

    /**
     * The KRL's read: revoked certificates not expired before {@code expiredBefore}. Its predicate matches the
     * partial index certificates_revoked_valid_before (V8.1), so it reads the revoked rows only, not the table.
     */
    public ResultQuery<Record2<Long, Long>> revokedSerialsQuery(Instant expiredBefore) {
        return tx.select(CERTIFICATES.CA_KEY_ID, CERTIFICATES.SERIAL).from(CERTIFICATES)
                .where(CERTIFICATES.REVOKED_AT.isNotNull())
                .and(CERTIFICATES.VALID_BEFORE.gt(TokenDao.utc(expiredBefore)));
    }

    /** How many revoked certificates expired in ({@code from}, {@code to}]. */
    public int revokedExpiredBetween(Instant from, Instant to) {
        return tx.fetchCount(CERTIFICATES, CERTIFICATES.REVOKED_AT.isNotNull()
                .and(CERTIFICATES.VALID_BEFORE.gt(TokenDao.utc(from)))
                .and(CERTIFICATES.VALID_BEFORE.le(TokenDao.utc(to))));
    }

    private Map<Long, List<String>> principals(List<Long> serials) {
        Map<Long, List<String>> out = new HashMap<>();
        if (serials.isEmpty()) {
            return out;
        }
        tx.selectFrom(CERTIFICATE_PRINCIPALS).where(CERTIFICATE_PRINCIPALS.SERIAL.in(serials))
                .orderBy(CERTIFICATE_PRINCIPALS.SERIAL, CERTIFICATE_PRINCIPALS.PRINCIPAL)
                .fetch()
                .forEach(p -> out.computeIfAbsent(p.getSerial(), k -> new ArrayList<>()).add(p.getPrincipal()));
        return out;
    }

    private static IssuedCert toCert(CertificatesRecord r, List<String> principals) {
        return new IssuedCert(r.getSerial(), CertType.parse(r.getCertType()), r.getCaKeyId(), r.getKeyId(),
                r.getKeyFingerprint(), r.getPublicKey(), r.getRequester(), Optional.ofNullable(r.getTokenId()),
                principals, r.getValidAfter().toInstant(), r.getValidBefore().toInstant(), r.getIssuedAt().toInstant(),
                r.getCertificate(), Optional.ofNullable(r.getRevokedAt()).map(OffsetDateTime::toInstant),
                Optional.ofNullable(r.getRevocationReason()));
    }
}
