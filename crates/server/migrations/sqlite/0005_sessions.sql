-- Browser sessions (spec section 6: the web UI's session cookie). Only the
-- SHA-256 of the cookie's secret is stored, as the key; the CSRF token is
-- random per session and sent back to the signed-in page (it is no
-- credential without the cookie). A session ends when its user signs out,
-- when it was idle past `last_seen_at` + the idle limit, or at
-- `expires_at` (the absolute limit), whichever comes first; deleting its
-- user deletes it.
CREATE TABLE sessions (
    secret_hash   TEXT PRIMARY KEY NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf          TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
