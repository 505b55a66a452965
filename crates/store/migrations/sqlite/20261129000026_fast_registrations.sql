-- Fast registration of enterprise mini programs (快速注册企业小程序): an
-- invite may offer it to the merchant, and every request is kept as a task
-- of its company with WeChat's answer.
ALTER TABLE invites ADD COLUMN allows_fast_registration INTEGER NOT NULL DEFAULT 0;

CREATE TABLE fast_registrations (
    id                    INTEGER PRIMARY KEY,
    -- NULL: a result push that matched no request, kept for the admins.
    company_id            INTEGER REFERENCES companies (id),
    invite_id             INTEGER REFERENCES invites (id),
    -- The admin who started it; NULL when the merchant did (invite_id) or
    -- for an unmatched push.
    started_by            TEXT,
    name                  TEXT    NOT NULL,
    code                  TEXT    NOT NULL,
    code_type             INTEGER NOT NULL,
    legal_persona_wechat  TEXT    NOT NULL,
    legal_persona_name    TEXT    NOT NULL,
    component_phone       TEXT,
    -- pending | refused | registered | failed | expired
    state                 TEXT    NOT NULL,
    -- WeChat's create errcode (refused) or the push's status (failed).
    wechat_code           INTEGER,
    wechat_msg            TEXT,
    -- The new mini program (registered).
    authorizer_appid      TEXT,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
);
-- One running request per entity: a second is refused before calling WeChat.
CREATE UNIQUE INDEX fast_registrations_one_pending ON fast_registrations (code)
    WHERE state = 'pending';
CREATE INDEX fast_registrations_company ON fast_registrations (company_id, id);
CREATE INDEX fast_registrations_invite ON fast_registrations (invite_id, id);
CREATE INDEX fast_registrations_name ON fast_registrations (name, id);
