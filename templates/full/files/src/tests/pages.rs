//! The site's pages answer, look like themselves, and carry their CSRF tokens.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use super::{assert_security_headers, body_text, get, send};

#[tokio::test]
async fn the_home_page_names_the_project_and_offers_accounts() {
    let response = send(get("/")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_security_headers(&response);
    let body = body_text(response).await;
    assert!(body.contains(env!("CARGO_PKG_NAME")), "{body}");
    assert!(body.contains(r#"href="/login""#), "{body}");
    assert!(body.contains(r#"href="/register""#), "{body}");
    assert!(
        body.contains(r#"<link rel="stylesheet" href="/static/style.css">"#),
        "{body}"
    );
}

#[tokio::test]
async fn health_is_ok() {
    let response = send(get("/health")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(body_text(response).await, "ok");
}

#[tokio::test]
async fn an_unknown_path_gets_the_404_page() {
    let response = send(get("/no-such-page")).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_security_headers(&response);
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .expect("ASCII")
            .starts_with("text/html")
    );
    let body = body_text(response).await;
    assert!(body.contains("Page not found"), "{body}");
    assert!(
        body.contains(r#"href="/static/style.css""#),
        "the layout: {body}"
    );
}

/// Every refusal is a page for a browser, and JSON for a client that asks for JSON, with
/// its status and its headers (src/web/error_pages.rs).
#[tokio::test]
async fn refusals_are_pages_or_json() {
    let options = Request::options("/login").body(Body::empty());
    let wrong_method = send(options.expect("request")).await;
    assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(wrong_method.headers().contains_key(header::ALLOW));
    let page = body_text(wrong_method).await;
    assert!(page.starts_with("<!doctype html>"), "{page}");
    assert!(page.contains("<h1>Method Not Allowed</h1>"), "{page}");

    // A login posted without its CSRF token.
    let forged = || {
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "localhost")
    };
    let page = send(forged().body(Body::from("email=a%40b.c")).expect("request")).await;
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    let page = body_text(page).await;
    assert!(
        page.contains("<h1>Forbidden</h1>") && page.contains("CSRF"),
        "{page}"
    );

    let json = forged().header(header::ACCEPT, "application/json");
    let json = send(json.body(Body::from("email=a%40b.c")).expect("request")).await;
    assert_eq!(json.status(), StatusCode::FORBIDDEN);
    assert_eq!(json.headers()[header::CONTENT_TYPE], "application/json");
    let json: serde_json::Value =
        serde_json::from_str(&body_text(json).await).expect("a JSON body");
    assert!(
        json["error"]
            .as_str()
            .is_some_and(|error| error.contains("CSRF")),
        "{json}"
    );
}

/// Checklist S3: every form that posts carries the token, so no form is refused.
#[tokio::test]
async fn every_post_form_carries_a_csrf_token() {
    for path in ["/login", "/register"] {
        let response = send(get(path)).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let body = body_text(response).await;
        let forms = body.matches(r#"method="post""#).count();
        assert!(forms > 0, "{path} has a form");
        assert_eq!(
            body.matches(r#"name="csrf_token""#).count(),
            forms,
            "{path}: {body}"
        );
    }
}
