-- An invite's note (who it is for), how often its link was opened, and which
-- authorizations it brought in (authorization_codes.invite_id, now indexed).
ALTER TABLE invites ADD COLUMN note TEXT;
ALTER TABLE invites ADD COLUMN opened INTEGER NOT NULL DEFAULT 0;
CREATE INDEX authorization_codes_invite ON authorization_codes (invite_id) WHERE invite_id IS NOT NULL;
