-- Counts the overview (and /metrics) reads on every view, kept current by
-- triggers as rows change: a view reads a handful of rows instead of counting
-- 100,000 accounts or every push of the last hour.

CREATE TABLE authorizer_status_counts (
    status  TEXT    PRIMARY KEY,  -- store::AuthorizerStatus, snake_case
    count   INTEGER NOT NULL
);
INSERT INTO authorizer_status_counts (status, count)
    SELECT status, COUNT(*) FROM authorizers GROUP BY status;

CREATE TRIGGER authorizers_counted_on_insert AFTER INSERT ON authorizers BEGIN
    INSERT INTO authorizer_status_counts (status, count) VALUES (NEW.status, 1)
        ON CONFLICT (status) DO UPDATE SET count = count + 1;
END;

CREATE TRIGGER authorizers_counted_on_status AFTER UPDATE OF status ON authorizers
    WHEN OLD.status IS NOT NEW.status BEGIN
    UPDATE authorizer_status_counts SET count = count - 1 WHERE status = OLD.status;
    INSERT INTO authorizer_status_counts (status, count) VALUES (NEW.status, 1)
        ON CONFLICT (status) DO UPDATE SET count = count + 1;
END;

CREATE TRIGGER authorizers_counted_on_delete AFTER DELETE ON authorizers BEGIN
    UPDATE authorizer_status_counts SET count = count - 1 WHERE status = OLD.status;
END;

-- Pushes received per minute (received_at / 60); the overview sums the last 60.
CREATE TABLE push_minutes (
    minute  INTEGER PRIMARY KEY,
    count   INTEGER NOT NULL
);
INSERT INTO push_minutes (minute, count)
    SELECT received_at / 60, COUNT(*) FROM push_events GROUP BY received_at / 60;

CREATE TRIGGER push_events_counted AFTER INSERT ON push_events BEGIN
    INSERT INTO push_minutes (minute, count) VALUES (NEW.received_at / 60, 1)
        ON CONFLICT (minute) DO UPDATE SET count = count + 1;
END;
