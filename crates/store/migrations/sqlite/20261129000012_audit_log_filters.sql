-- The audit log page filters by who acted and by object, newest first, a page at a time.
CREATE INDEX audit_log_by_actor ON audit_log (actor, id);
CREATE INDEX audit_log_by_object ON audit_log (object, id);
