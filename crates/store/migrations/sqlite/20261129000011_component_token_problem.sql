-- What is wrong with the component token, as a state (not a message to match):
-- waiting_for_ticket | refresh_failed; NULL when nothing is.
ALTER TABLE component_tokens ADD COLUMN problem TEXT;
UPDATE component_tokens SET problem = CASE
    WHEN last_error = 'waiting for ticket' THEN 'waiting_for_ticket'
    WHEN last_error IS NOT NULL THEN 'refresh_failed' END;
