-- Keyward schema, version 4: GET /keys pages in the database. Filtering the key inventory by account reads
-- that account's fingerprints in order instead of every inventory line.
CREATE INDEX host_inventory_account_fingerprint ON host_inventory (account, fingerprint);
