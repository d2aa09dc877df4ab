//! `/dev/mailbox`: the mail the app sent since it started, newest first, as Phoenix's
//! mailbox preview shows it. For development only: release builds have no such page, and
//! a debug build with `APP_ENV=production` answers 404.

use axum::Router;
#[cfg(debug_assertions)]
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{Html, IntoResponse, Response},
    routing::get,
};

use crate::AppState;

/// The mailbox's routes (none in a release build).
pub fn routes() -> Router<AppState> {
    #[cfg(debug_assertions)]
    let routes = Router::new()
        .route("/dev/mailbox", get(list))
        .route("/dev/mailbox/{number}", get(html_part));
    #[cfg(not(debug_assertions))]
    let routes = Router::new();
    routes
}

/// The outbox, unless the app runs in production (or keeps none).
#[cfg(debug_assertions)]
fn outbox(state: &AppState) -> Option<&super::Outbox> {
    state
        .mail
        .outbox()
        .filter(|_| !state.config.is_production())
}

/// `GET /dev/mailbox`: every message kept, newest first, with its text part.
#[cfg(debug_assertions)]
async fn list(
    State(state): State<AppState>,
    page: crate::web::templates::Page,
) -> crate::app_error::Result<Response> {
    let Some(outbox) = outbox(&state) else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let emails: Vec<minijinja::Value> = outbox
        .sent()
        .into_iter()
        .rev()
        .map(|sent| {
            let super::Sent { number, email } = sent;
            minijinja::context! {
                number,
                to => email.to,
                subject => email.subject,
                text => email.text,
                has_html => email.html.is_some(),
            }
        })
        .collect();
    let context = minijinja::context! { emails };
    Ok(page.render("dev/mailbox.html", context)?.into_response())
}

/// `GET /dev/mailbox/NUMBER`: a message's HTML part, as a mail program would show it.
#[cfg(debug_assertions)]
async fn html_part(State(state): State<AppState>, Path(number): Path<u64>) -> Response {
    let html = outbox(&state)
        .and_then(|outbox| outbox.find(number))
        .and_then(|sent| sent.email.html);
    match html {
        Some(html) => Html(html).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
