//! What the resources' tests share: a browser that keeps its cookies and finds the CSRF
//! token in the pages, and logged-in users.

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use tower::ServiceExt;

use crate::{AppState, auth, db};

/// A password that follows the rules.
const PASSWORD: &str = "correct horse battery staple";

/// A number no other test, nor an earlier run on the same database, is likely to use.
pub fn unique() -> u32 {
    rand::random()
}

/// Adds a user who cannot log in (nothing is hashed), and returns its id.
pub async fn insert_user(db: &db::Pool) -> i64 {
    let email = format!("user-{:x}@example.com", unique());
    auth::create_user(db, &email, "not a hash", false)
        .await
        .expect("inserted")
        .expect("new email")
        .id
}

/// Sends requests to the app, as a browser would, and keeps the cookies it is given.
pub struct Browser {
    app: Router,
    cookies: BTreeMap<String, String>,
}

/// An answer, with its body as text.
pub struct Page {
    pub status: StatusCode,
    pub location: String,
    pub body: String,
}

impl Page {
    /// The value of the page's `csrf_token` input.
    pub fn csrf_token(&self) -> String {
        let input = r#"name="csrf_token" value=""#;
        let start = self.body.find(input).expect("a csrf_token input") + input.len();
        self.body[start..]
            .split('"')
            .next()
            .expect("value")
            .to_owned()
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

impl Browser {
    pub fn new(state: &AppState) -> Self {
        Self {
            app: crate::app(state.clone()),
            cookies: BTreeMap::new(),
        }
    }

    async fn send(&mut self, request: axum::http::request::Builder, body: Body) -> Page {
        let cookies: Vec<String> = self
            .cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        let request = request
            .header(header::COOKIE, cookies.join("; "))
            .body(body)
            .expect("request");
        let response = self.app.clone().oneshot(request).await.expect("routed");
        for set_cookie in response.headers().get_all(header::SET_COOKIE) {
            let set_cookie = set_cookie.to_str().expect("ASCII cookie");
            let pair = set_cookie.split(';').next().expect("name=value");
            let (name, value) = pair.split_once('=').expect("name=value");
            self.cookies.insert(name.to_owned(), value.to_owned());
        }
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await;
        let body = String::from_utf8(bytes.expect("body").to_vec()).expect("UTF-8 body");
        Page {
            status,
            location,
            body,
        }
    }

    pub async fn get(&mut self, uri: &str) -> Page {
        self.send(Request::get(uri), Body::empty()).await
    }

    /// Posts a form as it is, with no token unless `fields` has one.
    pub async fn post(&mut self, uri: &str, fields: &[(&str, &str)]) -> Page {
        let body = serde_urlencoded::to_string(fields).expect("encodes");
        let request =
            Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.send(request, Body::from(body)).await
    }

    /// Posts `fields` to `uri` with the CSRF token of the page at `form`.
    pub async fn submit(&mut self, form: &str, uri: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.get(form).await.csrf_token();
        let mut fields = fields.to_vec();
        fields.push(("csrf_token", &token));
        self.post(uri, &fields).await
    }

    /// Sends JSON (or nothing) with the `X-CSRF-Token` header when `token` is given.
    pub async fn json(
        &mut self,
        method: Method,
        uri: &str,
        json: Option<&serde_json::Value>,
        token: Option<&str>,
    ) -> Page {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(token) = token {
            request = request.header(crate::csrf::HEADER, token);
        }
        let body = match json {
            Some(json) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        self.send(request, body).await
    }

    /// Adds a user and logs in as them.
    pub async fn log_in(&mut self, state: &AppState, is_staff: bool) {
        let email = format!("tester-{:x}@example.com", unique());
        let hash = auth::hash_password(PASSWORD).expect("hashes");
        auth::create_user(&state.db, &email, &hash, is_staff)
            .await
            .expect("inserted")
            .expect("new email");
        let page = self
            .submit(
                "/login",
                "/login",
                &[("email", &email), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    }
}
