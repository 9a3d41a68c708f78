-- The web portal's accounts side (SPEC S1-S6, S24-S26): sessions, one-time e-mail links,
-- the mail outbox and the operator's announcements.

-- Server-side sessions, so that several portal instances on one PostgreSQL share them. Only
-- a SHA-256 of the cookie's random id is kept. `csrf` is the session's anti-forgery token.
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf TEXT NOT NULL,
    -- 1 while the password must be changed (expired or reset by the operator): such a
    -- session reaches only the change-password screen (S3).
    restricted BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions(user_id);

-- Single-use links mailed to a user: confirm a new notification address (S26) or reset a
-- forgotten password (S4). Only a SHA-256 of the link's token is kept.
CREATE TABLE email_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    purpose TEXT NOT NULL,                    -- 'confirm_email' | 'reset_password'
    email TEXT NOT NULL,                      -- the address the link was sent to
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX email_tokens_by_user ON email_tokens(user_id);

-- Mail waiting to be sent: a request writes here in its own transaction and returns; a
-- sender task delivers with retries and backoff, so a slow or absent mail server never
-- blocks or loses a request's mail.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    sent_at BIGINT,
    last_error TEXT
);
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE sent_at IS NULL;

-- The operator's announcements (お知らせ, S5), shown on the welcome screen between the dates.
CREATE TABLE announcements (
    id INTEGER PRIMARY KEY,
    text_ja TEXT NOT NULL,
    text_en TEXT NOT NULL,
    shown_from BIGINT NOT NULL,
    shown_until BIGINT,
    created_at BIGINT NOT NULL
);
