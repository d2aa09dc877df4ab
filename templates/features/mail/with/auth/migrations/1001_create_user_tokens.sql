-- One-time links mailed to users (src/auth/tokens.rs). The link holds the token; the
-- table holds only its SHA-256 hash, so a copy of the database opens no account.
CREATE TABLE user_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- What the link does: `reset` (choose a new password).
    purpose TEXT NOT NULL,
    -- The address the link was mailed to.
    sent_to TEXT NOT NULL,
    -- The user's login stamp when it was made: a link stops working once the password
    -- changes or the user logs out everywhere.
    stamp TEXT NOT NULL,
    -- When it was made, and when it stops working, in Unix seconds.
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE INDEX user_tokens_user_purpose ON user_tokens (user_id, purpose);
CREATE INDEX user_tokens_expires_at ON user_tokens (expires_at);

-- Requests that mail a link, by client address and email, for their rate limit
-- (src/auth/reset.rs). Kept a day.
CREATE TABLE mail_requests (
    address TEXT NOT NULL,
    email TEXT NOT NULL,
    -- When, in Unix seconds.
    at BIGINT NOT NULL
);

CREATE INDEX mail_requests_address_at ON mail_requests (address, at);
CREATE INDEX mail_requests_email_at ON mail_requests (email, at);
