//! Users in the database: creating them and finding them by id or by email.

use super::*;

/// Adds a user whose password is already hashed. `Ok(None)` when the email is taken.
pub async fn create_user(
    pool: &db::Pool,
    email: &str,
    password_hash: &str,
    is_staff: bool,
) -> Result<Option<User>, sqlx::Error> {
    let inserted: Result<UserRow, sqlx::Error> = sqlx::query_as(
        "INSERT INTO users (email, password_hash, is_staff, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id, email, is_staff, created_at",
    )
    .bind(normalize_email(email))
    .bind(password_hash)
    .bind(is_staff)
    .bind(db::unix_now())
    .fetch_one(pool)
    .await;
    match inserted {
        Ok(row) => Ok(Some(user_from_row(row))),
        Err(sqlx::Error::Database(err)) if err.is_unique_violation() => Ok(None),
        Err(err) => Err(err),
    }
}

/// The user with this id, if there is one.
pub async fn find_user(pool: &db::Pool, id: i64) -> Result<Option<User>, sqlx::Error> {
    let row: Option<UserRow> =
        sqlx::query_as("SELECT id, email, is_staff, created_at FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(user_from_row))
}

/// The user with this id and the stamp a session's login must carry to hold
/// ([`login_stamp`]).
pub(super) async fn find_user_and_stamp(
    pool: &db::Pool,
    id: i64,
) -> Result<Option<(User, String)>, sqlx::Error> {
    let row: Option<(i64, String, bool, i64, String, i64)> = sqlx::query_as(
        "SELECT id, email, is_staff, created_at, password_hash, session_epoch \
         FROM users WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(id, email, is_staff, created_at, hash, epoch)| {
        let user = user_from_row((id, email, is_staff, created_at));
        (user, login_stamp(&hash, epoch))
    }))
}

/// The user with this email, their password hash and session epoch, for the login.
pub(super) async fn find_login(
    pool: &db::Pool,
    email: &str,
) -> Result<Option<(i64, String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT id, password_hash, session_epoch FROM users WHERE email = $1")
        .bind(normalize_email(email))
        .fetch_optional(pool)
        .await
}

/// Replaces the user's password hash. Every login of the user ends with it: the stamps
/// their sessions carry hold the old hash's fingerprint.
pub async fn set_password(
    pool: &db::Pool,
    user_id: i64,
    password_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Ends every login of the user: the stamps their sessions carry stop matching.
pub async fn end_every_login(pool: &db::Pool, user_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET session_epoch = session_epoch + 1 WHERE id = $1")
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(())
}
