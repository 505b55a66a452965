-- An archived company keeps its accounts (visible, still refreshed) but takes
-- no new authorization: archiving revokes its invites and refuses new ones.
ALTER TABLE companies ADD COLUMN archived_at INTEGER;  -- unix seconds; NULL: active
