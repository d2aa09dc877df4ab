//! The answers to failures the routes do not handle: 404 for a path no route answers, and
//! 500 for a handler that panicked. Neither shows any detail of the failure; the 500's
//! cause goes to the log only. `src/web/error_pages.rs` draws the 404 as a page.

use std::any::Any;

use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;

/// The answer for a path no route answers.
pub async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "There is no page at this address.").into_response()
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
