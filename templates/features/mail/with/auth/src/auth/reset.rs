//! Password reset by mail: "Forgot your password?" on the login page leads to
//! `/password-reset`, which mails a link to `/password-reset/TOKEN` (src/auth/tokens.rs),
//! where the user chooses a new password.
//!
//! - The answer is the same, and as quick, whether or not the address has an account:
//!   the account is looked up and the mail sent by a task of its own.
//! - A link works once, for an hour ([`Purpose::lifetime`]), and stops working when the password
//!   changes (by any link, the admin or the user) or the user logs out everywhere.
//! - The new password follows the rules of registration; setting it ends every login of
//!   the user (their sessions carry the old password's stamp).
//! - Requests are limited per email and per client address, and links built from
//!   `BASE_URL`, as every mailed link is (src/auth/links.rs).
//! - Following a link proves the address is the user's: it confirms it, as
//!   src/auth/verification.rs does.

use axum::extract::Path;

use super::links::{self, LinkBase};
use super::tokens::{self, Purpose};
use super::*;

/// Every step of a reset is a stage of one page: `ask` (the email), `sent`, `choose` (the
/// new password), `done` and `invalid` (a link that is used, expired or wrong).
const TEMPLATE: &str = "password_reset.html";

/// The request for a link.
#[derive(Deserialize, Validate)]
pub struct ResetRequestForm {
    #[garde(length(chars, max = 254), custom(email_rule))]
    email: String,
}

impl FormPage for ResetRequestForm {
    const TEMPLATE: &'static str = TEMPLATE;

    fn context() -> Value {
        context! { stage => "ask" }
    }
}

/// The new password, on the link's page.
#[derive(Deserialize, Validate)]
pub struct NewPasswordForm {
    #[garde(length(chars, max = 4096))]
    password: String,
}

impl FormPage for NewPasswordForm {
    const TEMPLATE: &'static str = TEMPLATE;

    fn context() -> Value {
        context! { stage => "choose" }
    }
}

/// `GET /password-reset`: the form asking for the email.
pub(super) async fn ask_page(page: Page, token: CsrfToken) -> Result<Html<String>, AppError> {
    Ok(forms::show::<ResetRequestForm>(&page, &token)?)
}

/// `POST /password-reset`: mails a link if the email has an account, and answers the same
/// either way.
pub(super) async fn ask(
    State(state): State<crate::AppState>,
    page: Page,
    token: CsrfToken,
    ClientIp(ip): ClientIp,
    LinkBase(base): LinkBase,
    ValidForm(form): ValidForm<ResetRequestForm>,
) -> Result<Response, AppError> {
    let email = normalize_email(&form.email);
    let typed = Values::from([("email".to_owned(), form.email.clone())]);
    let now = db::unix_now();
    if links::too_many_requests(&state.auth.db, &ip, &email, now).await? {
        tracing::warn!("password reset rate limit reached");
        return links::too_many(&page, &token, TEMPLATE, &typed);
    }
    links::record_request(&state.auth.db, &ip, &email, now).await?;
    match base {
        Some(base) => links::spawn_mailing(Purpose::Reset, mail_reset_link(state, email, base)),
        None => tracing::error!("BASE_URL is not set: no password reset link can be mailed"),
    }
    let context = context! { stage => "sent", email => form.email };
    let page = forms::render(&page, TEMPLATE, &token, &typed, &Errors::new(), context)?;
    Ok(page.into_response())
}

/// `GET /password-reset/TOKEN`: the form for the new password, or why the link is dead.
pub(super) async fn choose_page(
    State(state): State<crate::AppState>,
    page: Page,
    token: CsrfToken,
    Path(link): Path<String>,
) -> Result<Response, AppError> {
    let issued = tokens::check(&state.auth.db, &link, Purpose::Reset, db::unix_now()).await?;
    if issued.is_none() {
        return links::invalid(&page, &token, TEMPLATE);
    }
    Ok(forms::show::<NewPasswordForm>(&page, &token)?.into_response())
}

/// `POST /password-reset/TOKEN`: sets the new password, uses the link up, and ends every
/// login of the user.
pub(super) async fn choose(
    State(state): State<crate::AppState>,
    page: Page,
    token: CsrfToken,
    Path(link): Path<String>,
    ValidForm(form): ValidForm<NewPasswordForm>,
) -> Result<Response, AppError> {
    let db = &state.auth.db;
    let now = db::unix_now();
    let Some(issued) = tokens::check(db, &link, Purpose::Reset, now).await? else {
        return links::invalid(&page, &token, TEMPLATE);
    };
    if let Err(problems) = check_password_rules(&form.password, &issued.sent_to) {
        let errors = Errors::from([("password".to_owned(), problems)]);
        let context = context! { stage => "choose" };
        let page = forms::render(&page, TEMPLATE, &token, &Values::new(), &errors, context)?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let password = form.password;
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|err| AppError::internal(format!("password hash: {err}")))?
        .map_err(AppError::internal)?;
    // Used up before the password changes: of two requests with one link, one wins.
    let Some(issued) = tokens::consume(db, &link, Purpose::Reset, now).await? else {
        return links::invalid(&page, &token, TEMPLATE);
    };
    set_password(db, issued.user_id, &hash).await?;
    tokens::revoke_all(db, issued.user_id, Purpose::Reset).await?;
    verification::confirm(db, issued.user_id, &issued.sent_to, now).await?;
    tracing::info!(user_id = issued.user_id, "password reset");
    let context = context! { stage => "done" };
    links::stage(&page, &token, TEMPLATE, StatusCode::OK, context)
}

/// Mails `email` a reset link if it has an account.
async fn mail_reset_link(
    state: crate::AppState,
    email: String,
    base: String,
) -> Result<(), links::LinkError> {
    match find_login(&state.auth.db, &email).await? {
        Some((user_id, _, _)) => {
            links::mail_link(&state, user_id, Purpose::Reset, &email, &base).await
        }
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests;
