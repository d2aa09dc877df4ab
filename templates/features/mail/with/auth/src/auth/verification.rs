//! Email confirmation: registration mails a link to `/verify-email/TOKEN`
//! (src/auth/links.rs), whose page confirms the address with one button (a GET changes
//! nothing: mail scanners open links). `/verify-email` sends the link again, and the
//! account's email page (src/auth/email_change.rs) has a button for it.
//!
//! - `users.email_verified_at` (`migrations/1002_add_users_email_verified_at.sql`) holds
//!   when the address was confirmed: by this link, a password reset link, an email
//!   change's link, or staff in the admin.
//! - `REQUIRE_VERIFIED_EMAIL=true` refuses to log in a user, right password and all, until
//!   their address is confirmed, and registration then logs nobody in. Off by default.
//! - Asking for a link again answers the same whether or not the address has an account,
//!   under the limits of every mailed link.

use axum::extract::Path;

use super::links::{self, LinkBase};
use super::tokens::{self, Purpose};
use super::*;

/// Every step is a stage of one page: `ask` (the email, to send the link again), `sent`,
/// `confirm` (the link's button), `done` and `invalid` (a link used, expired or wrong).
const TEMPLATE: &str = "verify_email.html";

/// What a login of an unconfirmed address says when `REQUIRE_VERIFIED_EMAIL` is on.
pub const NOT_CONFIRMED: &str =
    "Confirm your email address first: follow the link we mailed you, or ask for another one.";

/// The request for another link.
#[derive(Deserialize, Validate)]
pub struct ResendForm {
    #[garde(length(chars, max = 254), custom(email_rule))]
    email: String,
}

impl FormPage for ResendForm {
    const TEMPLATE: &'static str = TEMPLATE;

    fn context() -> Value {
        context! { stage => "ask" }
    }
}

/// Whether the user's address is confirmed.
pub async fn is_verified(pool: &db::Pool, user_id: i64) -> Result<bool, sqlx::Error> {
    let verified: Option<bool> =
        sqlx::query_scalar("SELECT email_verified_at IS NOT NULL FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(pool)
            .await?;
    Ok(verified.unwrap_or(false))
}

/// Records that `email` is the address of `user_id`, confirmed at `now`; false when the
/// user's address is another one by now (a link sent to an address they left).
pub async fn confirm(
    pool: &db::Pool,
    user_id: i64,
    email: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE users SET email_verified_at = COALESCE(email_verified_at, $1) \
         WHERE id = $2 AND email = $3",
    )
    .bind(now)
    .bind(user_id)
    .bind(email)
    .execute(pool)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Mails a new user their link, after registration. With `REQUIRE_VERIFIED_EMAIL` the
/// page saying so is the answer, and nobody is logged in; `None` otherwise.
pub(super) fn registered(
    state: &crate::AppState,
    page: &Page,
    token: &CsrfToken,
    base: Option<String>,
    user: &User,
) -> Result<Option<Response>, AppError> {
    match base {
        Some(base) => {
            let (state, user) = (state.clone(), user.clone());
            links::spawn_mailing(Purpose::Verify, async move {
                links::mail_link(&state, user.id, Purpose::Verify, &user.email, &base).await
            });
        }
        None => tracing::error!("BASE_URL is not set: no email confirmation link can be mailed"),
    }
    if !state.config.require_verified_email {
        return Ok(None);
    }
    let context = context! { stage => "sent", email => &user.email, registered => true };
    Ok(Some(links::stage(
        page,
        token,
        TEMPLATE,
        StatusCode::OK,
        context,
    )?))
}

/// `GET /verify-email`: the form asking where to send another link.
pub(super) async fn ask_page(page: Page, token: CsrfToken) -> Result<Html<String>, AppError> {
    Ok(forms::show::<ResendForm>(&page, &token)?)
}

/// `POST /verify-email`: mails another link if the email has an account whose address is
/// not confirmed yet, and answers the same either way.
pub(super) async fn ask(
    State(state): State<crate::AppState>,
    page: Page,
    token: CsrfToken,
    ClientIp(ip): ClientIp,
    LinkBase(base): LinkBase,
    ValidForm(form): ValidForm<ResendForm>,
) -> Result<Response, AppError> {
    let email = normalize_email(&form.email);
    let typed = Values::from([("email".to_owned(), form.email.clone())]);
    let now = db::unix_now();
    if links::too_many_requests(&state.auth.db, &ip, &email, now).await? {
        tracing::warn!("email confirmation rate limit reached");
        return links::too_many(&page, &token, TEMPLATE, &typed);
    }
    links::record_request(&state.auth.db, &ip, &email, now).await?;
    match base {
        Some(base) => links::spawn_mailing(Purpose::Verify, mail_again(state, email, base)),
        None => tracing::error!("BASE_URL is not set: no email confirmation link can be mailed"),
    }
    let context = context! { stage => "sent", email => form.email };
    let page = forms::render(&page, TEMPLATE, &token, &typed, &Errors::new(), context)?;
    Ok(page.into_response())
}

/// Mails `email` a link if it has an account not confirmed yet.
async fn mail_again(
    state: crate::AppState,
    email: String,
    base: String,
) -> Result<(), links::LinkError> {
    let Some((user_id, _, _)) = find_login(&state.auth.db, &email).await? else {
        return Ok(());
    };
    if is_verified(&state.auth.db, user_id).await? {
        return Ok(());
    }
    links::mail_link(&state, user_id, Purpose::Verify, &email, &base).await
}

/// `GET /verify-email/TOKEN`: the button that confirms, or why the link is dead.
pub(super) async fn confirm_page(
    State(state): State<crate::AppState>,
    page: Page,
    token: CsrfToken,
    Path(link): Path<String>,
) -> Result<Response, AppError> {
    links::button_page(&state, &page, &token, &link, Purpose::Verify, TEMPLATE).await
}

/// `POST /verify-email/TOKEN`: confirms the address the link was sent to, if it is still
/// the user's, and uses the link up.
pub(super) async fn confirm_address(
    State(state): State<crate::AppState>,
    page: Page,
    token: CsrfToken,
    Path(link): Path<String>,
) -> Result<Response, AppError> {
    let (db, now) = (&state.auth.db, db::unix_now());
    let Some(issued) = tokens::consume(db, &link, Purpose::Verify, now).await? else {
        return links::invalid(&page, &token, TEMPLATE);
    };
    if !confirm(db, issued.user_id, &issued.sent_to, now).await? {
        return links::invalid(&page, &token, TEMPLATE);
    }
    tokens::revoke_all(db, issued.user_id, Purpose::Verify).await?;
    tracing::info!(user_id = issued.user_id, "email confirmed");
    let context = context! { stage => "done", email => issued.sent_to };
    links::stage(&page, &token, TEMPLATE, StatusCode::OK, context)
}

#[cfg(test)]
mod tests;
