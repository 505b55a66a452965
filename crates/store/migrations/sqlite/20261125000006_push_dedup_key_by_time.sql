-- A push's dedup_key becomes `<CreateTime, 10 digits>-<SHA-256 hex of the decrypted XML>`.
-- A bare hash lands every insert on a random page of the unique index, so a
-- batch of N pushes rewrote about N index pages; prefixed by time, new keys
-- append to the same few pages. A retried push has the same XML, hence the
-- same CreateTime and the same key. Existing keys take the same form so that a
-- retry arriving across the upgrade is still recognised.
UPDATE push_events
SET dedup_key = printf('%010d-', coalesce(create_time, 0)) || dedup_key;
