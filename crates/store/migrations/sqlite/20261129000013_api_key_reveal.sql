-- A key made in the dashboard is shown once, on the page the form leads to
-- (which works without JavaScript): until then it waits here, sealed, for the
-- admin who made it, for a few minutes; reading it removes it.
ALTER TABLE api_keys ADD COLUMN reveal_admin_id INTEGER REFERENCES admins (id);
ALTER TABLE api_keys ADD COLUMN reveal_sealed BLOB;
ALTER TABLE api_keys ADD COLUMN reveal_until INTEGER;
