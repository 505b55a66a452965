-- Processing a push is retried durably: each push has a state, the attempts
-- made, and when the next may start. `next_attempt_at` is also the lease of the
-- worker holding the event: a crashed worker's event is due again when it ends.
ALTER TABLE push_events ADD COLUMN state TEXT NOT NULL DEFAULT 'pending'; -- pending | applied | failed
ALTER TABLE push_events ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE push_events ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0;
UPDATE push_events SET state = CASE
    WHEN processed_at IS NULL THEN 'pending'
    WHEN error IS NULL THEN 'applied'
    ELSE 'failed' END;
DROP INDEX push_events_unprocessed;
CREATE INDEX push_events_due ON push_events (next_attempt_at) WHERE state = 'pending';

-- The pre_auth_codes this platform created, per invite and device. A code is
-- reused while it is valid (the daily quota of api_create_preauthcode), and an
-- `authorized` push's PreAuthCode finds the invite whose link it came from.
CREATE TABLE pre_auth_codes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    code_hash    TEXT    NOT NULL UNIQUE,       -- SHA-256 hex of the code
    code_sealed  BLOB    NOT NULL,              -- the code itself, sealed (see platform::vault)
    invite_id    INTEGER NOT NULL REFERENCES invites (id),
    device       TEXT    NOT NULL,              -- pc | mobile
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    consumed_at  INTEGER                        -- an authorization came back for its invite
);
CREATE INDEX pre_auth_codes_by_invite ON pre_auth_codes (invite_id, created_at DESC);
CREATE INDEX pre_auth_codes_newest ON pre_auth_codes (created_at DESC);
