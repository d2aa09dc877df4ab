//! Tests of the whole site through the real router, in process (no socket): its pages,
//! its error pages, and the security properties every page must keep. Each module under
//! `src/` tests its own part too (`auth/` logins, `admin/` access rules...).

mod features;
mod pages;
mod security;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::Response;
use tower::ServiceExt;

use crate::config::Config;
use crate::{AppState, app};

/// The app with `config`; the database is a fresh in-memory one (see `db::connect`).
async fn app_for(config: Config) -> Router {
    app(AppState::new(config).await.expect("state builds"))
}

/// Sends one request through the app with the development settings of a fresh checkout.
async fn send(request: Request<Body>) -> Response {
    send_to(app_for(crate::config::tests::config(&[])).await, request).await
}

/// Sends one request through `app`.
async fn send_to(app: Router, request: Request<Body>) -> Response {
    app.oneshot(request).await.expect("router never fails")
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri)
        .body(Body::empty())
        .expect("valid request")
}

async fn body_text(response: Response) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await;
    String::from_utf8(bytes.expect("body").to_vec()).expect("UTF-8 body")
}

/// The headers every response carries, error pages included (checklist S9).
fn assert_security_headers(response: &Response) {
    let headers = response.headers();
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(headers[header::REFERRER_POLICY], "same-origin");
    assert_eq!(headers["cross-origin-opener-policy"], "same-origin");
    let policy = headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("ASCII");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
}
