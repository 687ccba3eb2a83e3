-- Keyward schema, version 6: what each host's agent last reported about itself (POST /api/v1/agent/status),
-- shown with the host in GET /api/v1/hosts. All null until the agent's first report; a newer agent may report
-- more fields than these, which the server ignores until a migration gives them a column.
ALTER TABLE hosts ADD COLUMN agent_version varchar(64);
-- where the agent reads sshd's logins from: 'file', 'journal', or 'none' (then no usage is reported from the host,
-- and agent_usage_detail says why)
ALTER TABLE hosts ADD COLUMN agent_usage_source varchar(16) CHECK (agent_usage_source IN ('file', 'journal', 'none'));
ALTER TABLE hosts ADD COLUMN agent_usage_detail varchar(1024);
-- log records that looked like sshd's logins but were not written by sshd (never counted as usage), and the last
ALTER TABLE hosts ADD COLUMN agent_usage_flagged bigint CHECK (agent_usage_flagged >= 0);
ALTER TABLE hosts ADD COLUMN agent_usage_last_flagged varchar(1024);
-- the trusted-user-CA bundle and KRL versions the agent has installed; a KRL version is an unsigned 64-bit number
-- (PROTOCOL.krl), so it is kept as the number it is, not in a signed bigint
ALTER TABLE hosts ADD COLUMN agent_trust_version bigint CHECK (agent_trust_version >= 0);
ALTER TABLE hosts ADD COLUMN agent_krl_version numeric(20, 0)
    CHECK (agent_krl_version >= 0 AND agent_krl_version <= 18446744073709551615);
ALTER TABLE hosts ADD COLUMN agent_reported_at timestamptz;
