-- When each API token was last used to authenticate (recorded at most once a minute per token).
ALTER TABLE api_tokens ADD COLUMN last_used_at timestamptz;
