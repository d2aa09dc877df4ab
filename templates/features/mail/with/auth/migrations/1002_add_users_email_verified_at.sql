-- When each user's email address was confirmed, in Unix seconds; NULL until then
-- (src/auth/verification.rs). Users from before this column are unconfirmed: a link, a
-- password reset or staff in the admin confirm them.
ALTER TABLE users ADD COLUMN email_verified_at BIGINT;

-- user_tokens.purpose now also holds `verify` (confirm the address) and `change-email`
-- (move the account to the address the link was sent to).
