-- Keyward schema, version 11: the admin console's sessions and its pending OIDC sign-ins.
--
-- A session is found by the SHA-256 of its ID (the cookie's value, 256 random bits): the database never holds a
-- value that signs anyone in. It carries who signed in (the same actor name and role the API would give the
-- credential they proved), the CSRF synchronizer token every form posts back, and two expiries: the absolute one
-- (expires_at) and the idle one (last_seen_at + console.session_idle). Sign-out deletes the row. A session opened
-- with an API token names it (token_id), so revoking or expiring the token ends the session too.
CREATE TABLE console_sessions (
    id_hash      char(64) PRIMARY KEY,
    csrf_token   varchar(64) NOT NULL,
    actor        varchar(255) NOT NULL,
    username     varchar(255) NOT NULL,
    role         varchar(16) NOT NULL CHECK (role IN ('admin', 'auditor')),
    token_id     bigint REFERENCES api_tokens (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL
);
CREATE INDEX console_sessions_expires_at ON console_sessions (expires_at);

-- An OIDC sign-in between the redirect to the issuer and the browser's return: found by the SHA-256 of a random
-- value in a short-lived cookie (binding the return to the browser that left), holding the state and nonce to
-- compare and the PKCE code verifier (RFC 7636) to send. Used once: the return deletes it.
CREATE TABLE console_sign_ins (
    binding_hash  char(64) PRIMARY KEY,
    state         varchar(64) NOT NULL,
    nonce         varchar(64) NOT NULL,
    code_verifier varchar(128) NOT NULL,
    created_at    timestamptz NOT NULL
);
CREATE INDEX console_sign_ins_created_at ON console_sign_ins (created_at);
