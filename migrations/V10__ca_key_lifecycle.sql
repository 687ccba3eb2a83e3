-- Keyward schema, version 10: the CA key lifecycle (NIST SP 800-57 Part 1: pre-activation, active, deactivated,
-- compromised, destroyed). Each purpose (user, host) has versioned keys:
--   pending   published in the trust bundle, does not sign yet (agents install it before it is used)
--   active    signs; at most one per purpose
--   retired   never signs again; stays in the trust bundle until trusted_until, when the last certificate it signed
--             expires (trust_ended_at is set then)
--   destroyed the private key was deleted from its token (or its file destroyed); public key and fingerprint kept
--   revoked   compromised: its public key is in the KRL (a revocations row of kind key), out of the trust bundle
ALTER TABLE ca_keys DROP CONSTRAINT IF EXISTS ca_keys_state_check;
ALTER TABLE ca_keys ADD CONSTRAINT ca_keys_state_lifecycle
    CHECK (state IN ('pending', 'active', 'retired', 'destroyed', 'revoked'));
ALTER TABLE ca_keys ADD COLUMN activated_at timestamptz;
ALTER TABLE ca_keys ADD COLUMN retired_at timestamptz;
-- retired keys: when the last unrevoked certificate it signed expires (computed at retirement, under the audit-chain
-- lock every issuance takes before it writes, so no certificate by the key can commit after it)
ALTER TABLE ca_keys ADD COLUMN trusted_until timestamptz;
-- when the key left the trust bundle (retired and expired, destroyed, or revoked)
ALTER TABLE ca_keys ADD COLUMN trust_ended_at timestamptz;
ALTER TABLE ca_keys ADD COLUMN destroyed_at timestamptz;
ALTER TABLE ca_keys ADD COLUMN revoked_at timestamptz;
ALTER TABLE ca_keys ADD COLUMN revocation_reason varchar(1024);
-- the trust bundle version (ca_trust_state.version) that first listed the key: a host whose agent reports that
-- version or a later one has installed it. Keys from before this migration: their id, which is what the trust
-- version was (the highest user CA key id).
ALTER TABLE ca_keys ADD COLUMN trust_version bigint;
UPDATE ca_keys SET trust_version = id, activated_at = created_at;
UPDATE ca_keys SET trusted_until = COALESCE((SELECT max(c.valid_before) FROM certificates c
        WHERE c.ca_key_id = ca_keys.id AND c.revoked_at IS NULL), CURRENT_TIMESTAMP)
    WHERE state = 'retired';
ALTER TABLE ca_keys ALTER COLUMN trust_version SET NOT NULL;
CREATE UNIQUE INDEX ca_keys_one_active ON ca_keys (purpose) WHERE state = 'active';

-- The trust bundle version: one row, bumped in the same transaction as every change to which CA keys are trusted
-- (a key made pending, retired keys leaving, destroyed or revoked). The agents' state document carries it as
-- trust.version and the agents report the version they installed (hosts.agent_trust_version).
CREATE TABLE ca_trust_state (
    id         integer     PRIMARY KEY CHECK (id = 1),
    version    bigint      NOT NULL,
    updated_at timestamptz NOT NULL
);
INSERT INTO ca_trust_state (id, version, updated_at)
    SELECT 1, COALESCE((SELECT max(id) FROM ca_keys), 0), CURRENT_TIMESTAMP;
