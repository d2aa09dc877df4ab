//! The test client every test of the site shares (accounts, the admin, each resource): a
//! browser that sends requests through the app in process, keeps the cookies it is
//! given and finds the CSRF token in the pages, and users to log in as.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use tower::ServiceExt;

use crate::{AppState, db};

/// A password that follows the rules.
pub const PASSWORD: &str = "correct horse battery staple";

/// A number no other test, nor an earlier run on the same database, is likely to use.
pub fn unique() -> u32 {
    rand::random()
}

/// A client address no other test, nor an earlier run on the same database, has used:
/// 64 random bits in IPv6's documentation prefix (2001:db8::/32).
pub fn unique_ip() -> IpAddr {
    let documentation = 0x2001_0db8_u128 << 96;
    IpAddr::V6(Ipv6Addr::from(
        documentation | u128::from(rand::random::<u64>()),
    ))
}

/// An email no other test, nor an earlier run on the same database, has used.
pub fn unique_email(name: &str) -> String {
    format!("{name}-{:x}@example.com", rand::random::<u64>())
}

/// Adds a user who cannot log in (nothing is hashed: fast), and returns its id.
pub async fn insert_user(db: &db::Pool) -> i64 {
    super::create_user(db, &unique_email("user"), "not a hash", false)
        .await
        .expect("inserted")
        .expect("new email")
        .id
}

/// Sends requests to the app, as a browser would, from an address of its own, and keeps
/// the cookies it is given.
pub struct Browser {
    app: Router,
    /// The cookies it holds, by name: a test may read or replace them.
    pub cookies: BTreeMap<String, String>,
    /// Where its requests come from, as the server sees it (the login limit counts by it).
    pub address: SocketAddr,
}

/// A client address no other browser has.
fn unique_address() -> SocketAddr {
    SocketAddr::new(unique_ip(), 40_000)
}

/// An answer, with its body as text.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The `Location` header, or empty.
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
    /// A browser with no cookies on the whole app.
    pub fn new(state: &AppState) -> Self {
        Self {
            app: crate::app(state.clone()),
            cookies: BTreeMap::new(),
            address: unique_address(),
        }
    }

    /// The app's state from the environment, and a browser on it.
    pub async fn start() -> (Self, AppState) {
        let state = AppState::from_env().await.expect("state builds");
        (Self::new(&state), state)
    }

    /// Another browser, with no cookies, on the same app.
    pub fn stranger(&self) -> Self {
        Self {
            app: self.app.clone(),
            cookies: BTreeMap::new(),
            address: unique_address(),
        }
    }

    /// Sends `request` to `router` (the app, or routes of a test's own) with the cookies.
    async fn send_to(
        &mut self,
        router: &Router,
        request: axum::http::request::Builder,
        body: Body,
    ) -> Page {
        let cookies: Vec<String> = self
            .cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        let request = request
            .header(header::COOKIE, cookies.join("; "))
            .extension(ConnectInfo(self.address))
            .body(body)
            .expect("request");
        let response = router.clone().oneshot(request).await.expect("routed");
        for set_cookie in response.headers().get_all(header::SET_COOKIE) {
            let set_cookie = set_cookie.to_str().expect("ASCII cookie");
            let pair = set_cookie.split(';').next().expect("name=value");
            let (name, value) = pair.split_once('=').expect("name=value");
            if value.is_empty() || set_cookie.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let status = response.status();
        let headers = response.headers().clone();
        let location = headers
            .get(header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await;
        let body = String::from_utf8(bytes.expect("body").to_vec()).expect("UTF-8 body");
        Page {
            status,
            headers,
            location,
            body,
        }
    }

    async fn send(&mut self, request: axum::http::request::Builder, body: Body) -> Page {
        let app = self.app.clone();
        self.send_to(&app, request, body).await
    }

    pub async fn get(&mut self, uri: &str) -> Page {
        self.send(Request::get(uri), Body::empty()).await
    }

    /// Gets `uri` from `router`, routes of a test's own, with the cookies.
    pub async fn get_from(&mut self, router: &Router, uri: &str) -> Page {
        self.send_to(router, Request::get(uri), Body::empty()).await
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
            request = request.header(crate::web::csrf::HEADER, token);
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

    /// Registers with the form at `/register`.
    pub async fn register(&mut self, email: &str, password: &str) -> Page {
        let fields = [("email", email), ("password", password)];
        self.submit("/register", "/register", &fields).await
    }

    /// Logs in with the form at `/login`.
    pub async fn login(&mut self, email: &str, password: &str) -> Page {
        let fields = [("email", email), ("password", password)];
        self.submit("/login", "/login", &fields).await
    }

    /// Logs out with the token the home page's logout form carries.
    pub async fn logout(&mut self) {
        let token = self.get("/").await.csrf_token();
        let page = self.post("/logout", &[("csrf_token", &token)]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
    }

    /// Adds a user with [`PASSWORD`], logs in as them, and returns their email.
    pub async fn log_in_as_new_user(&mut self, state: &AppState, is_staff: bool) -> String {
        let email = unique_email(if is_staff { "staff" } else { "user" });
        let hash = super::hash_password(PASSWORD).expect("hashes");
        super::create_user(&state.db, &email, &hash, is_staff)
            .await
            .expect("inserted")
            .expect("new email");
        let page = self.login(&email, PASSWORD).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        email
    }
}
