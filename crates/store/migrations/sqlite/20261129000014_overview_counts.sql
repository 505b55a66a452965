-- The overview counts accounts by status, accounts whose refreshes are
-- failing, pushes of the last hour and events that failed, from indexes.
CREATE INDEX authorizers_by_status ON authorizers (status, id);
CREATE INDEX authorizers_failing ON authorizers (failures) WHERE failures > 0;
CREATE INDEX push_events_failed ON push_events (id) WHERE state = 'failed';
