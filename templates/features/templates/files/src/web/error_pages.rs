//! Error pages. Refusals come from many places: a handler (`404`, `403`), an extractor
//! (a form that does not parse), a layer (a body too large, a stale CSRF token, too many
//! logins) or the router (`405`). Each says what went wrong in a line of plain text, or
//! says nothing. This middleware, the outermost but for the security headers, turns each
//! such answer into a page drawn from `templates/errors/` for a browser, and into
//! `{"error": "..."}` for a client that asks for JSON, keeping the status and the headers
//! (`Allow`, `Retry-After`). An answer that is already a page or JSON passes untouched.
//!
//! The page is `errors/<status>.html` when the project has one (`errors/404.html`), else
//! `errors/error.html`. It is drawn without the request's session, so it says nothing of
//! who is logged in.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use minijinja::context;

use crate::web::templates::Templates;

/// The longest message read from a refusal's body; a longer body is not a message.
const MESSAGE_LIMIT: usize = 16 * 1024;

/// The middleware (added at the app's `plinth:middleware`).
pub async fn render(State(templates): State<Templates>, request: Request, next: Next) -> Response {
    let json = wants_json(request.headers());
    // A clone shares the request's bytes: no copy of the path on every request.
    let uri = request.uri().clone();
    let response = next.run(request).await;
    if !is_bare_refusal(&response, &templates) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let message = match to_bytes(body, MESSAGE_LIMIT).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).trim().to_owned(),
        Err(_) => String::new(),
    };
    let status = parts.status;
    let title = status.canonical_reason().unwrap_or("Error");
    let message = if message.is_empty() {
        default_message(status).to_owned()
    } else {
        message
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    let body = if json {
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        serde_json::json!({ "error": message }).to_string()
    } else {
        let names = [
            format!("errors/{}.html", status.as_u16()),
            "errors/error.html".to_owned(),
        ];
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let context = context! {
            path => uri.path(),
            status => status.as_u16(),
            title => title,
            message => &message,
        };
        match templates.render_first(&names, context) {
            Ok(page) => {
                parts.headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                );
                page.0
            }
            // A broken error template must not hide the refusal: it goes out as it came.
            Err(err) => {
                tracing::error!("error page: {err:?}");
                message
            }
        }
    };
    Response::from_parts(parts, Body::from(body))
}

/// An error status whose body is plain text or nothing. A server error keeps its text in
/// development, where it tells the developer what failed.
fn is_bare_refusal(response: &Response, templates: &Templates) -> bool {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return false;
    }
    if status.is_server_error() && templates.shows_details() {
        return false;
    }
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_none_or(|kind| kind.as_bytes().starts_with(b"text/plain"))
}

/// Whether the client asked for JSON rather than a page: it accepts JSON and not HTML, or
/// it sent JSON.
fn wants_json(headers: &HeaderMap) -> bool {
    let says_json = |name| {
        headers
            .get(name)
            .and_then(|value: &HeaderValue| value.to_str().ok())
            .is_some_and(|value| value.contains("json"))
    };
    let accepts_html = headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.contains("text/html"));
    (says_json(header::ACCEPT) && !accepts_html) || says_json(header::CONTENT_TYPE)
}

/// What a refusal that said nothing means to a visitor.
fn default_message(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "The request could not be understood.",
        StatusCode::FORBIDDEN => "You may not open this page.",
        StatusCode::NOT_FOUND => "There is no page at this address.",
        StatusCode::METHOD_NOT_ALLOWED => "This address does not answer that method.",
        StatusCode::PAYLOAD_TOO_LARGE => "What was sent is too large.",
        StatusCode::UNPROCESSABLE_ENTITY => "What was sent could not be read.",
        StatusCode::TOO_MANY_REQUESTS => "Too many requests: wait a moment and try again.",
        _ if status.is_server_error() => "Something went wrong on our side. Please try again.",
        _ => "The request was refused.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use axum::Router;
    use axum::routing::{get, post};
    use tower::ServiceExt;

    fn app() -> Router {
        let templates = Templates::new(&crate::config::tests::config(&[])).expect("templates load");
        Router::new()
            .route(
                "/forbidden",
                get(|| async { (StatusCode::FORBIDDEN, "Staff only.\n") }),
            )
            .route("/form", post(|| async { "saved" }))
            .route(
                "/page",
                get(|| async { (StatusCode::NOT_FOUND, axum::response::Html("<p>mine</p>")) }),
            )
            .layer(axum::middleware::from_fn_with_state(templates, render))
    }

    async fn send(request: Request) -> (StatusCode, HeaderMap, String) {
        let response = app().oneshot(request).await.expect("router never fails");
        let (parts, body) = response.into_parts();
        let bytes = to_bytes(body, usize::MAX).await.expect("body");
        let text = String::from_utf8(bytes.to_vec()).expect("UTF-8");
        (parts.status, parts.headers, text)
    }

    fn get_with(uri: &str, accept: &str) -> Request {
        Request::get(uri)
            .header(header::ACCEPT, accept)
            .body(Body::empty())
            .expect("request")
    }

    #[tokio::test]
    async fn a_refusal_becomes_a_page_that_says_why() {
        let (status, headers, page) = send(get_with("/forbidden", "text/html")).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(
            headers[header::CONTENT_TYPE]
                .to_str()
                .is_ok_and(|kind| kind.starts_with("text/html"))
        );
        assert!(page.starts_with("<!doctype html>"), "{page}");
        assert!(
            page.contains("Forbidden") && page.contains("Staff only."),
            "{page}"
        );
    }

    #[tokio::test]
    async fn a_json_client_gets_json() {
        let (status, headers, body) = send(get_with("/forbidden", "application/json")).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(headers[header::CONTENT_TYPE], "application/json");
        assert_eq!(body, r#"{"error":"Staff only."}"#);
    }

    #[tokio::test]
    async fn a_silent_refusal_gets_a_message_and_keeps_its_headers() {
        let request = Request::put("/form").body(Body::empty()).expect("request");
        let (status, headers, page) = send(request).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert!(headers.contains_key(header::ALLOW), "{headers:?}");
        assert!(page.contains("does not answer that method"), "{page}");
    }

    #[tokio::test]
    async fn a_page_of_its_own_passes_untouched() {
        let (status, _, page) = send(get_with("/page", "text/html")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(page, "<p>mine</p>");
    }
}
