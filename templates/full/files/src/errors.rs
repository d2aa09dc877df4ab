//! The error pages: 404 for a path no route answers, and 500 for a handler that panicked.
//! Neither shows any detail of the failure; the 500's cause goes to the log only.

use std::any::Any;

use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use minijinja::context;
use tower_http::catch_panic::CatchPanicLayer;

use crate::web::templates::Page;

/// The page for a path no route answers.
pub async fn not_found(page: Page) -> Response {
    match page.render("errors/404.html", context! {}) {
        Ok(page) => (StatusCode::NOT_FOUND, page).into_response(),
        Err(err) => err.into_response(),
    }
}

/// Turns a panic in a handler into the 500 page (the server keeps running), and logs
/// the panic's message.
pub fn catch_panics() -> CatchPanicLayer<fn(Box<dyn Any + Send + 'static>) -> Response> {
    CatchPanicLayer::custom(server_error as fn(Box<dyn Any + Send + 'static>) -> Response)
}

fn server_error(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    tracing::error!(panic = message, "a handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CACHE_CONTROL, "no-store")],
        Html(crate::web::templates::SERVER_ERROR_PAGE),
    )
        .into_response()
}
