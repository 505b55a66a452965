-- The events page lists pushes newest first, filtered by kind, by account and by state.
CREATE INDEX push_events_by_kind ON push_events (info_type, id);
CREATE INDEX push_events_by_authorizer ON push_events (authorizer_appid, id);
CREATE INDEX push_events_by_state ON push_events (state, id);
