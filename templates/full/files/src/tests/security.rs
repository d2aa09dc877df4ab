//! The security checklist, demonstrated on the whole site: headers on every response
//! (S9), HSTS in production only (S10), no inline script or unaudited `|safe` (S8), bound
//! SQL parameters only (S11), allowed hosts (S20), no details in a 500 (S22), size limits
//! (S23), cross-site and tokenless posts refused
//! (S1, S2) and logout by POST only (S5, S25). Logins, passwords, rate limits and the
//! admin's rules are tested in `src/auth/` and `src/admin/`; static files kept in
//! their folder (S24) with the other tests the features add, in `features.rs`.

use std::path::Path;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::routing::get as route_get;

use super::{app_for, assert_security_headers, body_text, get, send, send_to};
use crate::config::tests::{config, production};
use crate::routes::{self, BODY_LIMIT};
use crate::web::templates;
use crate::{AppState, security};

#[tokio::test]
async fn hsts_is_sent_in_production_only() {
    let response = send(get("/")).await;
    assert!(
        response
            .headers()
            .get(header::STRICT_TRANSPORT_SECURITY)
            .is_none()
    );

    let production_get = Request::get("/")
        .header(header::HOST, "app.test")
        .body(Body::empty())
        .expect("valid request");
    let response = send_to(app_for(production()).await, production_get).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_security_headers(&response);
    assert_eq!(
        response.headers()[header::STRICT_TRANSPORT_SECURITY],
        security::STRICT_TRANSPORT_SECURITY
    );
}

#[tokio::test]
async fn a_foreign_host_gets_400() {
    let for_host = |host: &str| {
        Request::get("/")
            .header(header::HOST, host)
            .body(Body::empty())
            .expect("valid request")
    };
    let response = send_to(app_for(production()).await, for_host("evil.example")).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_security_headers(&response);
    let ours = send_to(app_for(production()).await, for_host("app.test:443")).await;
    assert_eq!(ours.status(), StatusCode::OK);

    // Development answers the local names only, as long as ALLOWED_HOSTS is empty.
    let local = send(for_host("localhost:3000")).await;
    assert_eq!(local.status(), StatusCode::OK);
    let foreign = send(for_host("evil.example")).await;
    assert_eq!(foreign.status(), StatusCode::BAD_REQUEST);
    let listed = config(&[("ALLOWED_HOSTS", "shop.test")]);
    let response = send_to(app_for(listed).await, for_host("shop.test")).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn production_refuses_a_missing_duplicated_or_contradicted_host() {
    let refused = |request: Request<Body>| async move {
        let response = send_to(app_for(production()).await, request).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        body_text(response).await
    };
    let no_host = Request::get("/")
        .body(Body::empty())
        .expect("valid request");
    assert!(refused(no_host).await.contains("no Host header"));
    let two_hosts = Request::get("/")
        .header(header::HOST, "app.test")
        .header(header::HOST, "evil.example")
        .body(Body::empty())
        .expect("valid request");
    assert!(
        refused(two_hosts)
            .await
            .contains("more than one Host header")
    );
    let absolute = Request::get("http://evil.example/")
        .header(header::HOST, "app.test")
        .body(Body::empty())
        .expect("valid request");
    assert!(refused(absolute).await.contains("unknown host"));
    let ours = Request::get("https://app.test/")
        .header(header::HOST, "app.test")
        .body(Body::empty())
        .expect("valid request");
    let response = send_to(app_for(production()).await, ours).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_panic_gets_the_500_page_without_details() {
    async fn broken() -> &'static str {
        panic!("secret detail at src/views/broken.rs:12")
    }
    let state = AppState::new(production()).await.expect("state builds");
    let app = routes::with_middleware(Router::new().route("/broken", route_get(broken)), state);
    let request = Request::get("/broken")
        .header(header::HOST, "app.test")
        .body(Body::empty())
        .expect("valid request");
    let response = send_to(app, request).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_security_headers(&response);
    let body = body_text(response).await;
    assert_eq!(body, templates::SERVER_ERROR_PAGE);
    for detail in ["secret detail", "panicked", ".rs"] {
        assert!(!body.contains(detail), "{detail} in {body}");
    }
}

#[tokio::test]
async fn an_oversized_body_gets_413() {
    const THREE_MIB: usize = 3 * 1024 * 1024;
    const { assert!(THREE_MIB > BODY_LIMIT) };
    let request = Request::post("/login")
        .header(header::CONTENT_LENGTH, THREE_MIB)
        .body(Body::from(vec![b'x'; THREE_MIB]))
        .expect("valid request");
    let response = send(request).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_security_headers(&response);
    let page = body_text(response).await;
    assert!(page.contains("<h1>Payload Too Large</h1>"), "{page}");
}

#[tokio::test]
async fn cross_site_and_tokenless_posts_are_refused() {
    let post = |headers: &[(&str, &str)]| {
        let mut request = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request
            .body(Body::from("email=a%40example.com&password=whatever-it-is"))
            .expect("valid request")
    };
    for headers in [
        &[("sec-fetch-site", "cross-site")][..],
        &[
            ("host", "localhost:3000"),
            ("origin", "https://evil.example"),
        ],
        &[],
    ] {
        let response = send(post(headers)).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{headers:?}");
        assert_security_headers(&response);
    }
}

#[tokio::test]
async fn logout_is_post_only() {
    let response = send(get("/logout")).await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
}

/// Files of the project under `folder` whose names end in `extension`.
fn project_files(folder: &str, extension: &str) -> Vec<(String, String)> {
    fn walk(dir: &Path, extension: &str, found: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).expect("readable folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, extension, found);
            } else if path.extension().is_some_and(|ext| ext == extension) {
                let text = std::fs::read_to_string(&path).expect("UTF-8 file");
                found.push((path.display().to_string(), text));
            }
        }
    }
    let mut found = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join(folder),
        extension,
        &mut found,
    );
    found
}

#[test]
fn templates_hold_no_inline_script_and_no_safe_filter() {
    let templates = project_files("templates", "html");
    assert!(!templates.is_empty());
    for (path, text) in templates {
        assert!(!text.contains("|safe"), "{path}: `|safe` needs an audit");
        assert!(!text.contains("<style"), "{path}: inline style");
        for (at, _) in text.match_indices("<script") {
            let tag = &text[at..text[at..].find('>').map_or(text.len(), |end| at + end)];
            assert!(tag.contains("src="), "{path}: inline script");
        }
        for attribute in [
            " onclick=",
            " onload=",
            " onerror=",
            " onsubmit=",
            " style=",
        ] {
            assert!(!text.contains(attribute), "{path}: {attribute}");
        }
    }
}

#[test]
fn sql_is_never_built_from_strings() {
    for (path, text) in project_files("src", "rs") {
        for call in ["query", "query_as", "query_scalar"] {
            for pattern in [format!("{call}(&format!("), format!("{call}(format!(")] {
                assert!(!text.contains(&pattern), "{path}: {pattern}");
            }
        }
    }
}
