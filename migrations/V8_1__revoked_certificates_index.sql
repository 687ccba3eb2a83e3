-- Keyward schema, version 8.1: an index for the KRL's query.
--
-- Every KRL build (each new KRL version, i.e. after every revocation) and KrlPruner read the revoked certificates
-- that have not yet expired: "revoked_at IS NOT NULL AND valid_before > t". certificates_valid_before cannot
-- narrow that while most certificates are still valid, so PostgreSQL scanned the whole table: the KRL's build time
-- grew with every certificate ever issued (in a 30-minute soak at 300 certs/s the agents' p99 rose by 15 ms a
-- minute). A partial index holds the revoked rows only (about 1% of them), ordered by expiry, so the read costs what
-- the KRL holds. Version 8.1 sits between the audit checkpoints (8) and later versions.
CREATE INDEX certificates_revoked_valid_before ON certificates (valid_before, ca_key_id, serial)
    WHERE revoked_at IS NOT NULL;
