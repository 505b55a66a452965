-- A key's reach is explicit: all companies, or the ones listed in
-- api_key_companies (none listed now means none), and whether it may read the
-- component token. An empty scope no longer means "everything".
ALTER TABLE api_keys ADD COLUMN all_companies INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_keys ADD COLUMN component INTEGER NOT NULL DEFAULT 0;

-- Keys created before, without companies, did read everything: keep that, explicitly.
UPDATE api_keys SET all_companies = 1, component = 1
 WHERE id NOT IN (SELECT api_key_id FROM api_key_companies);
