-- "Active accounts whose refreshes fail" counts the few failing rows of one
-- status: without this index SQLite walks every active account (35 ms at
-- 100,000 accounts) instead of the handful that fail.
DROP INDEX authorizers_failing;
CREATE INDEX authorizers_failing_by_status ON authorizers (status) WHERE failures > 0;
