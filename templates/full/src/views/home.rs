//! The home page and the health check.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Html;

use crate::{AppState, auth, templates};

/// `GET /`: `templates/index.html`, with the navigation of the logged-in user.
pub async fn index(
    State(state): State<AppState>,
    nav: auth::Nav,
) -> Result<Html<String>, templates::RenderError> {
    let context = minijinja::context! { version => env!("CARGO_PKG_VERSION"), ..nav.context() };
    state.templates.render("index.html", context)
}

/// `GET /health`: `ok`, or 503 with what is wrong, for load balancers and orchestrators.
pub async fn health(State(state): State<AppState>) -> (StatusCode, String) {
    match state.check_health().await {
        Ok(()) => (StatusCode::OK, "ok".to_owned()),
        Err(problem) => {
            tracing::warn!(%problem, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, problem)
        }
    }
}
