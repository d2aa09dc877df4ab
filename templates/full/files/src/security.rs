//! Security middleware: the headers every response carries (404s, 413s and 500s too),
//! HSTS in production, and the check that a request names one of `ALLOWED_HOSTS`.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::config::Config;

/// What pages may load: only this site's own files, no inline script or style, and no
/// framing by other sites. The templates hold no inline script, style or `on*=` attribute
/// (a test in `src/tests/security.rs` keeps it that way).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; \
     object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// HSTS, sent in production only: a browser that saw it refuses plain HTTP to the site
/// for a year, which would lock a developer's `localhost` out.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";

const HEADERS: &[(HeaderName, &str)] = &[
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "same-origin"),
    (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
];

/// Adds the security headers a response does not set itself.
pub async fn add_headers(State(config): State<Arc<Config>>, mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in HEADERS {
        if !headers.contains_key(name) {
            headers.insert(name.clone(), HeaderValue::from_static(value));
        }
    }
    headers
        .entry(HeaderName::from_static("cross-origin-opener-policy"))
        .or_insert(HeaderValue::from_static("same-origin"));
    if config.is_production() {
        headers
            .entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static(STRICT_TRANSPORT_SECURITY));
    }
    response
}

/// Answers 400 to a request that does not name this site (Django's `ALLOWED_HOSTS`): a
/// forged `Host` must not reach code that might print it into a link.
pub async fn check_host(
    State(config): State<Arc<Config>>,
    request: Request,
    next: Next,
) -> Response {
    match host_problem(&config, &request) {
        Some(problem) => {
            tracing::warn!(problem, "refused a request that does not name this site");
            let body = format!("Bad request: {problem}\n");
            (StatusCode::BAD_REQUEST, body).into_response()
        }
        None => next.run(request).await,
    }
}

/// Why `request` does not name this site, if it does not: more than one `Host`, a `Host`
/// or an absolute URI (`GET http://other.example/ HTTP/1.1`) naming a host not allowed,
/// or, in production, no host at all.
fn host_problem(config: &Config, request: &Request) -> Option<&'static str> {
    let mut hosts = request.headers().get_all(header::HOST).iter();
    let host = hosts.next();
    if hosts.next().is_some() {
        return Some("more than one Host header");
    }
    let authority = request
        .uri()
        .authority()
        .map(|authority| authority.as_str());
    if host.is_none() && authority.is_none() {
        return config.is_production().then_some("no Host header");
    }
    let named = host.map(|value| value.to_str().unwrap_or_default());
    if named
        .into_iter()
        .chain(authority)
        .all(|name| config.allows_host(name))
    {
        None
    } else {
        Some("unknown host")
    }
}
