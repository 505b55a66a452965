-- Names and logins are looked up and ordered through lower(), the one form
-- both SQLite and PostgreSQL read the same way (both fold ASCII only, as
-- NOCASE did); these indexes keep those lookups and the name order indexed.
CREATE INDEX companies_by_lower_name ON companies (lower(name));
CREATE INDEX admins_by_lower_login ON admins (lower(login));
CREATE INDEX sign_in_failures_by_lower_login ON sign_in_failures (lower(login), at);
