//! The account's email page, `/account/email`: whether the address is confirmed (with a
//! button for another confirmation link), and the change of address.
//!
//! A change asks for the password (a wrong one counts as a failed login, under the same
//! limit), then mails a link to the new address (src/auth/links.rs); the account keeps
//! its address until the link's page is confirmed. Then the new address is the user's,
//! and confirmed; every link sent before stops working; and the old address is told, so
//! that a change its owner did not make does not go unnoticed.

use axum::extract::Path;

use super::links::{self, LinkBase};
use super::tokens::{self, Purpose};
use super::*;

/// Every step is a stage of one page: `form` (the address and the change), `sent`,
/// `confirm` (the link's button), `done`, and `invalid` (a link used, expired or wrong).
const TEMPLATE: &str = "account_email.html";

/// The change: the new address and the password.
#[derive(Deserialize, Validate)]
pub struct EmailChangeForm {
    #[garde(length(chars, max = 254), custom(email_rule))]
    email: String,
    #[garde(length(chars, max = 4096))]
    password: String,
}

impl FormPage for EmailChangeForm {
    const TEMPLATE: &'static str = TEMPLATE;
}

/// `GET /account/email`: the address, whether it is confirmed, and the change's form.
pub(super) async fn page(
    State(state): State<crate::AppState>,
    page: Page,
    token: CsrfToken,
    CurrentUser(user): CurrentUser,
) -> Result<Response, AppError> {
    let verified = verification::is_verified(&state.auth.db, user.id).await?;
    let context = context! { stage => "form", verified };
    links::stage(&page, &token, TEMPLATE, StatusCode::OK, context)
}

/// `POST /account/email`: checks the password and the new address, and mails the
/// address a link that makes the change.
pub(super) async fn request(
    State(state): State<crate::AppState>,
    page: Page,
    token: CsrfToken,
    ClientIp(ip): ClientIp,
    LinkBase(base): LinkBase,
    CurrentUser(user): CurrentUser,
    ValidForm(form): ValidForm<EmailChangeForm>,
) -> Result<Response, AppError> {
    let db = &state.auth.db;
    let verified = verification::is_verified(db, user.id).await?;
    let typed = Values::from([("email".to_owned(), form.email.clone())]);
    let refused = |status: StatusCode, field: &str, message: &str| {
        let errors = Errors::from([(field.to_owned(), vec![message.to_owned()])]);
        let context = context! { stage => "form", verified };
        let page = forms::render(&page, TEMPLATE, &token, &typed, &errors, context)?;
        Ok::<_, AppError>((status, page).into_response())
    };
    let (email, now) = (normalize_email(&form.email), db::unix_now());
    if wait_before_login(db, &ip, &user.email, now)
        .await?
        .is_some()
    {
        let message = "Too many attempts. Wait a few minutes and try again.";
        return refused(StatusCode::TOO_MANY_REQUESTS, "form", message);
    }
    let Some((_, hash, _)) = find_login(db, &user.email).await? else {
        return Err(AppError::internal("the logged-in user has no row"));
    };
    let password = form.password;
    let checked = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|err| AppError::internal(format!("password check: {err}")))?;
    if !checked {
        record_login(db, &ip, &user.email, false, now).await?;
        let message = "This is not your password.";
        return refused(StatusCode::UNPROCESSABLE_ENTITY, "password", message);
    }
    if email == user.email {
        let message = "This is your email address already.";
        return refused(StatusCode::UNPROCESSABLE_ENTITY, "email", message);
    }
    if find_login(db, &email).await?.is_some() {
        let message = "An account with this email already exists.";
        return refused(StatusCode::UNPROCESSABLE_ENTITY, "email", message);
    }
    if links::too_many_requests(db, &ip, &email, now).await? {
        tracing::warn!("email change rate limit reached");
        let message = "Too many requests. Wait an hour and try again.";
        return refused(StatusCode::TOO_MANY_REQUESTS, "form", message);
    }
    links::record_request(db, &ip, &email, now).await?;
    let Some(base) = base else {
        tracing::error!("BASE_URL is not set: no email change link can be mailed");
        let message = "The site cannot mail links at the moment. Try again later.";
        return refused(StatusCode::SERVICE_UNAVAILABLE, "form", message);
    };
    let (mailing, to) = (state.clone(), email.clone());
    links::spawn_mailing(Purpose::ChangeEmail, async move {
        links::mail_link(&mailing, user.id, Purpose::ChangeEmail, &to, &base).await
    });
    let context = context! { stage => "sent", email };
    let page = forms::render(&page, TEMPLATE, &token, &typed, &Errors::new(), context)?;
    Ok(page.into_response())
}

/// `GET /account/email/TOKEN`: the button that makes the change, or why the link is dead.
pub(super) async fn confirm_page(
    State(state): State<crate::AppState>,
    page: Page,
    token: CsrfToken,
    Path(link): Path<String>,
) -> Result<Response, AppError> {
    links::button_page(&state, &page, &token, &link, Purpose::ChangeEmail, TEMPLATE).await
}

/// `POST /account/email/TOKEN`: moves the account to the address the link was sent to,
/// confirmed; ends every link sent before; and tells the old address.
pub(super) async fn change(
    State(state): State<crate::AppState>,
    page: Page,
    token: CsrfToken,
    Path(link): Path<String>,
) -> Result<Response, AppError> {
    let (db, now) = (&state.auth.db, db::unix_now());
    let Some(issued) = tokens::consume(db, &link, Purpose::ChangeEmail, now).await? else {
        return links::invalid(&page, &token, TEMPLATE);
    };
    let Some(old) = find_user(db, issued.user_id).await? else {
        return links::invalid(&page, &token, TEMPLATE);
    };
    let new = issued.sent_to;
    if !set_email(db, issued.user_id, &new, now).await? {
        let context = context! { stage => "taken", email => new };
        return links::stage(&page, &token, TEMPLATE, StatusCode::CONFLICT, context);
    }
    tokens::revoke_every(db, issued.user_id).await?;
    tracing::info!(user_id = issued.user_id, "email changed");
    let context = context! { old => &old.email, new => &new };
    let subject = "Your email address was changed";
    let notice = state
        .mail
        .compose(&old.email, subject, "mail/email_changed", context);
    match notice {
        Ok(notice) => state.mail.send_later(notice),
        Err(error) => tracing::error!(%error, "email change notice not sent"),
    }
    links::stage(
        &page,
        &token,
        TEMPLATE,
        StatusCode::OK,
        context! { stage => "done", email => new },
    )
}

/// Moves `user_id` to `email`, confirmed at `now`; false when another account has it.
async fn set_email(
    pool: &db::Pool,
    user_id: i64,
    email: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query("UPDATE users SET email = $1, email_verified_at = $2 WHERE id = $3")
        .bind(email)
        .bind(now)
        .bind(user_id)
        .execute(pool)
        .await;
    match updated {
        Ok(done) => Ok(done.rows_affected() == 1),
        Err(sqlx::Error::Database(err)) if err.is_unique_violation() => Ok(false),
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests;
