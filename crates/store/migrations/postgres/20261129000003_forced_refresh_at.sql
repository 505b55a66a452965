-- When a consumer's invalidation last forced a refresh (see the SQLite migration).
ALTER TABLE authorizers ADD COLUMN forced_refresh_at BIGINT;
