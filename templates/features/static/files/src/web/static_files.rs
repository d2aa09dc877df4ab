//! The files in `static/`, served at `/static`: `static/style.css` is
//! `/static/style.css`.
//!
//! tower-http's `ServeDir` answers 404 to any path that would leave the
//! folder (`..`, `%2e%2e`, absolute paths) and never lists a folder's
//! contents. It sends `ETag` and `Last-Modified`, so a browser revalidating a
//! file it has gets a bodyless 304 when nothing changed.

use std::env;
use std::path::PathBuf;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// `Cache-Control` for the files served. Debug builds make the browser ask
/// every time (a cheap 304 when nothing changed), so an edit shows on reload;
/// release builds let it keep a file for an hour without asking.
pub const CACHE_CONTROL: &str = if cfg!(debug_assertions) {
    "no-cache"
} else {
    "public, max-age=3600"
};

/// The folder served: `STATIC_DIR` when set, otherwise `static/` beside
/// Cargo.toml. That path is compiled in, so `cargo run` works from any
/// directory; a binary run on another machine or in a container needs
/// `STATIC_DIR`.
pub fn dir() -> PathBuf {
    env::var_os("STATIC_DIR").map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/static")),
        PathBuf::from,
    )
}

/// The service to mount at `/static`.
pub fn router() -> Router {
    let dir = dir();
    if !dir.is_dir() {
        tracing::warn!(
            "static folder {} not found, /static will answer 404; set STATIC_DIR",
            dir.display()
        );
    }
    Router::new()
        .fallback_service(ServeDir::new(dir))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            cache_control,
        ))
}

/// Only files found may be cached: a cached 404 would hide a file added later.
fn cache_control(response: &Response) -> Option<HeaderValue> {
    let status = response.status();
    (status.is_success() || status == StatusCode::NOT_MODIFIED)
        .then(|| HeaderValue::from_static(CACHE_CONTROL))
}
