//! Accounts: the `users` table (`migrations/0003_create_users.sql`), the pages
//! `/register`, `/login`, `/logout` and `/account`, the `createsuperuser` command, and the
//! extractors handlers use to know who is asking:
//!
//! - [`CurrentUser`]: a logged-in user, or a redirect (303) to `/login?next=...`;
//! - `Option<CurrentUser>`: the user if there is one, for pages everyone may see;
//! - [`RequireStaff`]: a staff user; another user gets 403, a visitor the login redirect.
//!
//! Passwords are hashed with argon2id (the `argon2` crate's defaults, m=19456 KiB, t=2,
//! p=1). A login rotates the session id and the CSRF token, is refused with 429 after
//! [`LOGIN_ATTEMPTS`] tries per client address and email within [`LOGIN_WINDOW`], and
//! answers the same to an unknown email as to a wrong password.

use std::fmt;
use std::io::{self, BufRead, IsTerminal, Write};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::Router;
use axum::extract::{
    ConnectInfo, FromRef, FromRequestParts, OptionalFromRequestParts, Query, State,
};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use garde::Validate;
use minijinja::{Value, context};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tower_sessions::Session;

use crate::app_error::AppError;
use crate::db;
use crate::web::csrf::{self, CsrfToken};
use crate::web::forms::{self, Errors, FormPage, ValidForm, Values};
use crate::web::templates::Page;

mod account;
mod extractors;
mod password;
mod rate_limit;
mod superuser;
mod users;
mod views;
// plinth:auth-modules

#[cfg(test)]
pub mod testing;
#[cfg(test)]
mod tests;

pub use extractors::*;
pub use password::*;
pub use rate_limit::trusted_proxies;
use rate_limit::*;
pub use superuser::*;
pub use users::*;
pub use views::*;

// plinth:auth-exports

/// Where a session keeps the id of its logged-in user.
const USER_ID_KEY: &str = "auth.user_id";

/// Where a session keeps its login's stamp ([`login_stamp`]): once the user's password
/// changes or they log out everywhere, every session made before is logged out (Django's
/// session auth hash).
const LOGIN_STAMP_KEY: &str = "auth.login_stamp";

/// Where a session keeps when its user logged in, in Unix seconds.
const LOGGED_IN_AT_KEY: &str = "auth.logged_in_at";

/// How long a login lasts, however active it is: then the user logs in again. (A
/// session without a request for two weeks ends sooner: src/web/sessions.rs.)
pub const LOGIN_LIFETIME: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// Failed logins allowed per client address and email within [`LOGIN_WINDOW`] (as Rails
/// 8's generated `rate_limit to: 10, within: 3.minutes`); the next one answers 429.
pub const LOGIN_ATTEMPTS: u32 = 10;

/// The window [`LOGIN_ATTEMPTS`] are counted in, from the first of them.
pub const LOGIN_WINDOW: Duration = Duration::from_secs(3 * 60);

/// The shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// The passwords attackers try first, one per line, in lower case.
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// What a failed login says, whichever of the two was wrong.
const LOGIN_FAILED: &str = "Email or password is incorrect.";

/// A user, as handlers see it. The password hash stays in the database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub is_staff: bool,
    /// When the account was created, in Unix seconds.
    pub created_at: i64,
}

type UserRow = (i64, String, bool, i64);

fn user_from_row((id, email, is_staff, created_at): UserRow) -> User {
    User {
        id,
        email,
        is_staff,
        created_at,
    }
}

/// What accounts need in the app state: the pool, and the proxies whose
/// `X-Forwarded-For` names the client (`TRUSTED_PROXIES`). Cloning it is cheap.
#[derive(Clone)]
pub struct Auth {
    db: db::Pool,
    trusted_proxies: Arc<[IpAddr]>,
}

impl Auth {
    pub fn new(db: db::Pool, config: &crate::config::Config) -> Self {
        Self {
            db,
            trusted_proxies: config.trusted_proxies.clone().into(),
        }
    }
}

/// How the extractors find accounts in the app's state.
impl FromRef<crate::AppState> for Auth {
    fn from_ref(state: &crate::AppState) -> Self {
        state.auth.clone()
    }
}

/// `/register`, `/login`, `/logout` and `/account`. Logging out is POST only: a link or
/// an image on another page cannot log anyone out.
pub fn routes() -> Router<crate::AppState> {
    Router::new()
        .route("/register", get(register_page).post(register))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        // plinth:auth-routes
        .route("/account", get(account::page))
        .route("/account/password", post(account::change_password))
        .route(
            "/account/logout-everywhere",
            post(account::logout_everywhere),
        )
}
