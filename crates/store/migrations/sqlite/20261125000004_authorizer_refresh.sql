-- Refresh bookkeeping for authorizer tokens: a lease so that one refresher
-- (of any instance) works on an authorizer at a time, surviving a crashed
-- holder once lease_until passes; and a durable backoff after failures.
ALTER TABLE authorizers ADD COLUMN lease_holder TEXT;
ALTER TABLE authorizers ADD COLUMN lease_until INTEGER;
ALTER TABLE authorizers ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE authorizers ADD COLUMN next_attempt_at INTEGER;

CREATE INDEX authorizers_due ON authorizers (status, access_token_expires_at);
