//! The site's pages answer, look like themselves, and carry their CSRF tokens.

use axum::http::{StatusCode, header};

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
    assert!(body.contains(r#"href="/login""#), "the layout: {body}");
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
