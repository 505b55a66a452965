-- A company is a merchant served by the platform; it owns authorizers.
CREATE TABLE companies (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL  -- unix seconds, UTC
);

-- Names are unique regardless of case, so "Acme" and "ACME" cannot both exist.
CREATE UNIQUE INDEX companies_name_unique ON companies (name COLLATE NOCASE);
