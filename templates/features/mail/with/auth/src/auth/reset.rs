//! Password reset by mail: "Forgot your password?" on the login page leads to
//! `/password-reset`, which mails a link to `/password-reset/TOKEN` (src/auth/tokens.rs),
//! where the user chooses a new password.
//!
//! - The answer is the same, and as quick, whether or not the address has an account:
//!   the account is looked up and the mail sent by a task of its own.
//! - A link works once, for [`RESET_LINK_LIFETIME`], and stops working when the password
//!   changes (by any link, the admin or the user) or the user logs out everywhere.
//! - The new password follows the rules of registration; setting it ends every login of
//!   the user (their sessions carry the old password's stamp).
//! - Requests are limited per email ([`RESETS_PER_EMAIL`] an hour) and per client
//!   address ([`RESETS_PER_ADDRESS`] an hour), counted in the database like logins.
//! - Links are built from `BASE_URL`, never from the `Host` a client sent; without it a
//!   development server uses `http://localhost` and its port, and production mails none.

use axum::extract::Path;

use super::tokens::{self, Purpose};
use super::*;

/// How long a reset link works.
pub const RESET_LINK_LIFETIME: Duration = Duration::from_secs(60 * 60);

/// Reset links one email may be sent within [`RESET_WINDOW`]; more requests answer 429.
pub const RESETS_PER_EMAIL: i64 = 3;

/// Reset requests one client address may make within [`RESET_WINDOW`], for any emails.
pub const RESETS_PER_ADDRESS: i64 = 10;

/// The window reset requests are counted in.
pub const RESET_WINDOW: Duration = Duration::from_secs(60 * 60);

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
    headers: axum::http::HeaderMap,
    ValidForm(form): ValidForm<ResetRequestForm>,
) -> Result<Response, AppError> {
    let email = normalize_email(&form.email);
    let typed = Values::from([("email".to_owned(), form.email.clone())]);
    let now = db::unix_now();
    if too_many_requests(&state.auth.db, &ip, &email, now).await? {
        tracing::warn!("password reset rate limit reached");
        let message = "Too many requests. Wait an hour and try again.".to_owned();
        let errors = Errors::from([("form".to_owned(), vec![message])]);
        let context = context! { stage => "ask" };
        let page = forms::render(&page, TEMPLATE, &token, &typed, &errors, context)?;
        return Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response());
    }
    record_request(&state.auth.db, &ip, &email, now).await?;
    match link_base(&state.config, &headers) {
        Some(base) => {
            tokio::spawn(mail_reset_link(state.clone(), email.clone(), base));
        }
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
        return invalid(&page, &token);
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
        return invalid(&page, &token);
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
        return invalid(&page, &token);
    };
    set_password(db, issued.user_id, &hash).await?;
    tokens::revoke_all(db, issued.user_id, Purpose::Reset).await?;
    tracing::info!(user_id = issued.user_id, "password reset");
    let context = context! { stage => "done" };
    let page = forms::render(
        &page,
        TEMPLATE,
        &token,
        &Values::new(),
        &Errors::new(),
        context,
    )?;
    Ok(page.into_response())
}

/// The page of a link that is used, expired or wrong (404: it leads nowhere).
fn invalid(page: &Page, token: &CsrfToken) -> Result<Response, AppError> {
    let context = context! { stage => "invalid" };
    let page = forms::render(
        page,
        TEMPLATE,
        token,
        &Values::new(),
        &Errors::new(),
        context,
    )?;
    Ok((StatusCode::NOT_FOUND, page).into_response())
}

/// Where links point: `BASE_URL`; in development without it, this machine at the port
/// the request came to. `None` in production without `BASE_URL`.
fn link_base(config: &crate::config::Config, headers: &axum::http::HeaderMap) -> Option<String> {
    if let Some(base) = &config.base_url {
        return Some(base.clone());
    }
    if config.is_production() {
        return None;
    }
    let host = headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok());
    let port = host
        .and_then(|host| host.rsplit_once(':'))
        .map(|(_, port)| port)
        .filter(|port| !port.is_empty() && port.bytes().all(|byte| byte.is_ascii_digit()));
    Some(match port {
        Some(port) => format!("http://localhost:{port}"),
        None => "http://localhost".to_owned(),
    })
}

/// Mails `email` a reset link if it has an account; a failure is logged.
async fn mail_reset_link(state: crate::AppState, email: String, base: String) {
    let mailed = async {
        let Some((user_id, hash, epoch)) = find_login(&state.auth.db, &email).await? else {
            return Ok(());
        };
        let stamp = login_stamp(&hash, epoch);
        let lifetime = RESET_LINK_LIFETIME;
        let (db, now) = (&state.auth.db, db::unix_now());
        let token = tokens::issue(db, user_id, Purpose::Reset, &email, &stamp, lifetime, now);
        let link = format!("{base}/password-reset/{}", token.await?);
        let context = context! { link, minutes => lifetime.as_secs() / 60 };
        let subject = "Reset your password";
        let mail = state
            .mail
            .compose(&email, subject, "mail/password_reset", context)?;
        state.mail.send_later(mail);
        Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    };
    if let Err(error) = mailed.await {
        tracing::error!(%error, "password reset mail not sent");
    }
}

/// Whether the address or the email has asked for too many links within the window.
async fn too_many_requests(
    pool: &db::Pool,
    address: &str,
    email: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let since = now - i64::try_from(RESET_WINDOW.as_secs()).unwrap_or(i64::MAX);
    let (from_address, for_email): (i64, i64) = sqlx::query_as(
        "SELECT \
           (SELECT COUNT(*) FROM mail_requests WHERE address = $1 AND at > $3), \
           (SELECT COUNT(*) FROM mail_requests WHERE email = $2 AND at > $3)",
    )
    .bind(address)
    .bind(email)
    .bind(since)
    .fetch_one(pool)
    .await?;
    Ok(from_address >= RESETS_PER_ADDRESS || for_email >= RESETS_PER_EMAIL)
}

/// Records a request, and forgets those older than a day.
async fn record_request(
    pool: &db::Pool,
    address: &str,
    email: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO mail_requests (address, email, at) VALUES ($1, $2, $3)")
        .bind(address)
        .bind(email)
        .bind(now)
        .execute(pool)
        .await?;
    sqlx::query("DELETE FROM mail_requests WHERE at < $1")
        .bind(now - 24 * 60 * 60)
        .execute(pool)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests;
