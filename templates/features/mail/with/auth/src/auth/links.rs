//! Links mailed to users, whatever they are for (a password reset, an email confirmation,
//! an email change): where they point, how often one may be asked for, and the mail that
//! carries one.
//!
//! - Links are built from `BASE_URL`, never from the `Host` a client sent; without it a
//!   development server uses `http://localhost` and its port, and production mails none
//!   (and logs why).
//! - Requests that mail a link are limited per email ([`LINKS_PER_EMAIL`] within
//!   [`LINK_WINDOW`]) and per client address ([`LINKS_PER_ADDRESS`]), counted in the
//!   database (`mail_requests`) so that every process of the app shares the count.

use super::tokens::{self, Purpose};
use super::*;

/// Links one email may be sent within [`LINK_WINDOW`]; more requests answer 429.
pub const LINKS_PER_EMAIL: i64 = 3;

/// Requests for links one client address may make within [`LINK_WINDOW`], for any emails.
pub const LINKS_PER_ADDRESS: i64 = 10;

/// The window link requests are counted in.
pub const LINK_WINDOW: Duration = Duration::from_secs(60 * 60);

/// Where mailed links point, as [`link_base`] finds it for the request.
pub struct LinkBase(pub Option<String>);

impl FromRequestParts<crate::AppState> for LinkBase {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &crate::AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(link_base(&state.config, &parts.headers)))
    }
}

/// `BASE_URL`; in development without it, this machine at the port the request came to.
/// `None` in production without `BASE_URL`.
pub fn link_base(
    config: &crate::config::Config,
    headers: &axum::http::HeaderMap,
) -> Option<String> {
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

/// Why a link was not mailed: the database, or the mail's template.
pub type LinkError = Box<dyn std::error::Error + Send + Sync>;

/// Makes a `purpose` link for the user `user_id` and mails it to `to` (the address it is
/// for: theirs, or the one they are moving to) from a task of its own.
pub async fn mail_link(
    state: &crate::AppState,
    user_id: i64,
    purpose: Purpose,
    to: &str,
    base: &str,
) -> Result<(), LinkError> {
    let db = &state.auth.db;
    let Some((_, stamp)) = find_user_and_stamp(db, user_id).await? else {
        return Ok(());
    };
    let lifetime = purpose.lifetime();
    let token = tokens::issue(db, user_id, purpose, to, &stamp, lifetime, db::unix_now()).await?;
    let link = format!("{base}{}{token}", purpose.path());
    let context = context! { link, email => to, lifetime => for_people(lifetime) };
    let email = state
        .mail
        .compose(to, purpose.subject(), purpose.template(), context)?;
    state.mail.send_later(email);
    Ok(())
}

/// Runs `mailing` (a [`mail_link`]) after the response, logging a failure: the answer
/// does not wait for it, nor tell how it went.
pub fn spawn_mailing(
    purpose: Purpose,
    mailing: impl Future<Output = Result<(), LinkError>> + Send + 'static,
) {
    tokio::spawn(async move {
        if let Err(error) = mailing.await {
            tracing::error!(%error, purpose = purpose.subject(), "link not mailed");
        }
    });
}

/// The page of a link, `template`, at one of its stages, with nothing typed and no
/// messages: the pages of mailed links are each one template in stages.
pub fn stage(
    page: &Page,
    token: &CsrfToken,
    template: &str,
    status: StatusCode,
    context: Value,
) -> Result<Response, AppError> {
    let (typed, errors) = (Values::new(), Errors::new());
    let page = forms::render(page, template, token, &typed, &errors, context)?;
    Ok((status, page).into_response())
}

/// The page of a link that is used, expired or wrong: `template` at its `invalid` stage,
/// 404 (it leads nowhere).
pub fn invalid(page: &Page, token: &CsrfToken, template: &str) -> Result<Response, AppError> {
    let context = context! { stage => "invalid" };
    stage(page, token, template, StatusCode::NOT_FOUND, context)
}

/// The answer to a request for a link past the limits: 429, with the form (`template` at
/// its `ask` stage) as it was `typed`.
pub fn too_many(
    page: &Page,
    token: &CsrfToken,
    template: &str,
    typed: &Values,
) -> Result<Response, AppError> {
    let message = "Too many requests. Wait an hour and try again.".to_owned();
    let errors = Errors::from([("form".to_owned(), vec![message])]);
    let context = context! { stage => "ask" };
    let page = forms::render(page, template, token, typed, &errors, context)?;
    Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response())
}

/// `GET` of a `purpose` link whose page has one button: `template` at its `confirm` stage
/// with the `email` the link was sent to, or at its `invalid` one. Opening the link
/// changes nothing (mail scanners open links); the button's `POST` does.
pub async fn button_page(
    state: &crate::AppState,
    page: &Page,
    token: &CsrfToken,
    link: &str,
    purpose: Purpose,
    template: &str,
) -> Result<Response, AppError> {
    let now = db::unix_now();
    let Some(issued) = tokens::check(&state.auth.db, link, purpose, now).await? else {
        return invalid(page, token, template);
    };
    let context = context! { stage => "confirm", email => issued.sent_to };
    stage(page, token, template, StatusCode::OK, context)
}

/// A lifetime as a mail says it: "60 minutes", "24 hours", "3 days".
fn for_people(lifetime: Duration) -> String {
    let minutes = lifetime.as_secs() / 60;
    match minutes {
        0..120 => format!("{minutes} minutes"),
        120..2880 => format!("{} hours", minutes / 60),
        _ => format!("{} days", minutes / (24 * 60)),
    }
}

/// Whether the address or the email has asked for too many links within the window.
pub async fn too_many_requests(
    pool: &db::Pool,
    address: &str,
    email: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let since = now - i64::try_from(LINK_WINDOW.as_secs()).unwrap_or(i64::MAX);
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
    Ok(from_address >= LINKS_PER_ADDRESS || for_email >= LINKS_PER_EMAIL)
}

/// Records a request, and forgets those older than a day.
pub async fn record_request(
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

/// The newest mail to `email` holding a `purpose` link, and the link's path. The mail
/// leaves from a task of its own: this waits for it, five seconds at most.
#[cfg(test)]
pub async fn mailed_link(
    state: &crate::AppState,
    email: &str,
    purpose: Purpose,
) -> (crate::mail::Email, String) {
    let outbox = state.mail.outbox().expect("tests keep their mail");
    for _ in 0..250 {
        let mut mailed = outbox.sent_to(email).into_iter().rev();
        if let Some(mail) = mailed.find(|mail| mail.text.contains(purpose.path())) {
            let start = mail.text.find(purpose.path()).expect("found");
            let path = mail.text[start..]
                .split_whitespace()
                .next()
                .expect("a path");
            let path = path.to_owned();
            return (mail, path);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no {purpose:?} link mailed to {email}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_built_from_base_url_never_from_the_host_in_production() {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(header::HOST, "evil.example:8080".parse().expect("header"));
        let config = |pairs: &[(&str, &str)]| crate::config::tests::config(pairs);
        let base = [("BASE_URL", "https://shop.example/")];
        assert_eq!(
            link_base(&config(&base), &headers).as_deref(),
            Some("https://shop.example")
        );
        assert_eq!(
            link_base(&config(&[]), &headers).as_deref(),
            Some("http://localhost:8080")
        );
        let production = [
            ("APP_ENV", "production"),
            ("SECRET_KEY", &"k3y9".repeat(16)),
        ];
        assert_eq!(link_base(&config(&production), &headers), None);
    }

    #[test]
    fn lifetimes_read_as_people_say_them() {
        assert_eq!(for_people(Purpose::Reset.lifetime()), "60 minutes");
        assert_eq!(for_people(Purpose::ChangeEmail.lifetime()), "24 hours");
        assert_eq!(for_people(Purpose::Verify.lifetime()), "3 days");
    }
}
