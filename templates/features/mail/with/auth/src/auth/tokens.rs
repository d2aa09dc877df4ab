//! One-time links mailed to users (`user_tokens`, `migrations/1001_create_user_tokens.sql`):
//! a password reset, an email confirmation, an email change. A token is 32 random bytes; only its SHA-256 hash is stored,
//! with its purpose, the address it was sent to, when it expires, and the user's login
//! stamp, so that it stops working once the password changes or the user logs out
//! everywhere. Expired tokens are deleted whenever a new one is made.

use rand::RngCore;

use super::*;

/// What a token lets its holder do, and everything about its link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Choose a new password (src/auth/reset.rs).
    Reset,
    /// Confirm that the address is the user's (src/auth/verification.rs).
    Verify,
    /// Move the account to the address the link was sent to (src/auth/email_change.rs).
    ChangeEmail,
}

impl Purpose {
    /// Its name in the `purpose` column.
    fn as_str(self) -> &'static str {
        match self {
            Self::Reset => "reset",
            Self::Verify => "verify",
            Self::ChangeEmail => "change-email",
        }
    }

    /// How long its links work.
    pub const fn lifetime(self) -> Duration {
        const HOUR: u64 = 60 * 60;
        Duration::from_secs(match self {
            Self::Reset => HOUR,
            Self::Verify => 3 * 24 * HOUR,
            Self::ChangeEmail => 24 * HOUR,
        })
    }

    /// The path of its links, before the token.
    pub const fn path(self) -> &'static str {
        match self {
            Self::Reset => "/password-reset/",
            Self::Verify => "/verify-email/",
            Self::ChangeEmail => "/account/email/",
        }
    }

    /// The subject of the mail that carries a link.
    pub const fn subject(self) -> &'static str {
        match self {
            Self::Reset => "Reset your password",
            Self::Verify => "Confirm your email address",
            Self::ChangeEmail => "Confirm your new email address",
        }
    }

    /// The mail's templates: this, ending in `.txt` and `.html`, in `templates/`.
    pub const fn template(self) -> &'static str {
        match self {
            Self::Reset => "mail/password_reset",
            Self::Verify => "mail/verify_email",
            Self::ChangeEmail => "mail/email_change",
        }
    }
}

/// A token's row, once its link is followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub user_id: i64,
    pub sent_to: String,
}

/// The stored form of a token: its SHA-256, in hex.
fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Makes a token for `user_id`, valid for `lifetime` from `now`, to mail to `sent_to`;
/// returns it (the link's part), storing only its hash.
pub async fn issue(
    pool: &db::Pool,
    user_id: i64,
    purpose: Purpose,
    sent_to: &str,
    stamp: &str,
    lifetime: Duration,
    now: i64,
) -> Result<String, sqlx::Error> {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    sqlx::query("DELETE FROM user_tokens WHERE expires_at <= $1")
        .bind(now)
        .execute(pool)
        .await?;
    let expires_at = now.saturating_add(i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX));
    sqlx::query(
        "INSERT INTO user_tokens \
         (token_hash, user_id, purpose, sent_to, stamp, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(hash(&token))
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(sent_to)
    .bind(stamp)
    .bind(now)
    .bind(expires_at)
    .execute(pool)
    .await?;
    Ok(token)
}

/// The token's row, if `token` is one for `purpose` that has not expired at `now` and
/// was made while the user's login stamp was the one they have now.
pub async fn check(
    pool: &db::Pool,
    token: &str,
    purpose: Purpose,
    now: i64,
) -> Result<Option<Issued>, sqlx::Error> {
    let row: Option<(i64, String, String, String, i64)> = sqlx::query_as(
        "SELECT t.user_id, t.sent_to, t.stamp, u.password_hash, u.session_epoch \
         FROM user_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.purpose = $2 AND t.expires_at > $3",
    )
    .bind(hash(token))
    .bind(purpose.as_str())
    .bind(now)
    .fetch_optional(pool)
    .await?;
    Ok(
        row.and_then(|(user_id, sent_to, stamp, password_hash, epoch)| {
            (stamp == login_stamp(&password_hash, epoch)).then_some(Issued { user_id, sent_to })
        }),
    )
}

/// Uses `token` up: deletes it and returns its row if [`check`] would; a second request
/// with the same token, even at the same moment, gets `None`.
pub async fn consume(
    pool: &db::Pool,
    token: &str,
    purpose: Purpose,
    now: i64,
) -> Result<Option<Issued>, sqlx::Error> {
    let Some(issued) = check(pool, token, purpose, now).await? else {
        return Ok(None);
    };
    let deleted = sqlx::query("DELETE FROM user_tokens WHERE token_hash = $1")
        .bind(hash(token))
        .execute(pool)
        .await?;
    Ok((deleted.rows_affected() == 1).then_some(issued))
}

/// Deletes every token of `user_id` for `purpose`: once one is used, the others are
/// worthless.
pub async fn revoke_all(
    pool: &db::Pool,
    user_id: i64,
    purpose: Purpose,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM user_tokens WHERE user_id = $1 AND purpose = $2")
        .bind(user_id)
        .bind(purpose.as_str())
        .execute(pool)
        .await?;
    Ok(())
}

/// Deletes every token of `user_id`: once their email changes, links sent to the old one
/// must not work.
pub async fn revoke_every(pool: &db::Pool, user_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM user_tokens WHERE user_id = $1")
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(())
}
