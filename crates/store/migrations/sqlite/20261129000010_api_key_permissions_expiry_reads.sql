-- Reading a token and invalidating one (which forces a refresh at WeChat) are
-- separate permissions; a key may expire; tokens handed out are counted per
-- key and minute, for the operator's charts and for spotting a looping client.
ALTER TABLE api_keys ADD COLUMN invalidate INTEGER NOT NULL DEFAULT 0;
ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;  -- unix seconds; NULL: never
-- Keys made before could invalidate: keep that, explicitly.
UPDATE api_keys SET invalidate = 1;

CREATE TABLE api_key_reads (
    api_key_id  INTEGER NOT NULL REFERENCES api_keys (id),
    minute      INTEGER NOT NULL,  -- unix seconds at the start of the minute
    reads       INTEGER NOT NULL,
    PRIMARY KEY (api_key_id, minute)
) WITHOUT ROWID;
