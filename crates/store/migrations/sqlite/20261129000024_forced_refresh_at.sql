-- When a consumer's invalidation last forced a refresh of the authorizer:
-- the once-per-interval limit holds across every instance on the database.
ALTER TABLE authorizers ADD COLUMN forced_refresh_at INTEGER;
