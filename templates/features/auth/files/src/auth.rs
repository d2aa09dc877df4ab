//! Accounts: the `users` table (`migrations/0003_create_users.sql`), the pages
//! `/register`, `/login` and `/logout`, the `createsuperuser` command, and the
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

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::{self, BufRead, IsTerminal, Write};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

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
use tower_sessions::Session;

use crate::csrf::{self, CsrfToken};
use crate::db;
use crate::forms::{self, FormPage, ValidForm};
use crate::templates::{RenderError, Templates};

/// Where a session keeps the id of its logged-in user.
const USER_ID_KEY: &str = "auth.user_id";

/// Logins allowed per client address and email within [`LOGIN_WINDOW`] (as Rails 8's
/// generated `rate_limit to: 10, within: 3.minutes`); the next one answers 429.
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

/// What accounts need in the app state: the pool and the login attempts counted so far.
/// Cloning it is cheap: clones share both.
#[derive(Clone)]
pub struct Auth {
    db: db::Pool,
    limiter: RateLimiter,
}

impl Auth {
    pub fn new(db: db::Pool) -> Self {
        Self {
            db,
            limiter: RateLimiter::default(),
        }
    }
}

/// How the extractors find accounts in the app's state.
impl FromRef<crate::AppState> for Auth {
    fn from_ref(state: &crate::AppState) -> Self {
        state.auth.clone()
    }
}

/// `/register`, `/login` and `/logout`. Logout is POST only: a link or an image on
/// another page cannot log anyone out.
pub fn routes() -> Router<crate::AppState> {
    Router::new()
        .route("/register", get(register_page).post(register))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
}

/// A failure that is not the visitor's: logged, and answered with 500.
#[derive(Debug)]
pub enum ServerError {
    /// The database, the session store or the hashing task failed.
    Internal(String),
    /// A page failed to render: its own 500 page, with details in debug builds.
    Render(RenderError),
}

impl IntoResponse for ServerError {
    fn into_response(self) -> Response {
        match self {
            Self::Internal(problem) => {
                tracing::error!(%problem, "auth");
                (StatusCode::INTERNAL_SERVER_ERROR, "Internal server error\n").into_response()
            }
            Self::Render(err) => err.into_response(),
        }
    }
}

impl From<sqlx::Error> for ServerError {
    fn from(err: sqlx::Error) -> Self {
        Self::Internal(format!("database: {err}"))
    }
}

impl From<tower_sessions::session::Error> for ServerError {
    fn from(err: tower_sessions::session::Error) -> Self {
        Self::Internal(format!("session: {err}"))
    }
}

impl From<RenderError> for ServerError {
    fn from(err: RenderError) -> Self {
        Self::Render(err)
    }
}

// ---------------------------------------------------------------------------------------
// Passwords

/// The argon2id PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) of `password`,
/// with a random salt. Slow on purpose (tens of milliseconds): call it from
/// `tokio::task::spawn_blocking` in a handler.
pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|err| format!("cannot hash the password: {err}"))
}

/// Whether `password` matches the PHC string `hash`; a hash that cannot be read matches
/// nothing. As slow as [`hash_password`].
fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// The rules a new password must follow, as Django's default validators: at least
/// [`MIN_PASSWORD_CHARS`] characters, not the email (nor the part before the `@`), not one
/// of the most common passwords. Returns every rule broken, worded for the visitor.
pub fn check_password_rules(password: &str, email: &str) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    if password.chars().count() < MIN_PASSWORD_CHARS {
        problems.push(format!(
            "The password must be at least {MIN_PASSWORD_CHARS} characters long."
        ));
    }
    let lowered = password.trim().to_lowercase();
    let email = email.trim().to_lowercase();
    let local_part = email.split('@').next().unwrap_or_default();
    if !email.is_empty() && (lowered == email || lowered == local_part) {
        problems.push("The password must not be your email address.".to_owned());
    }
    if COMMON_PASSWORDS.lines().any(|common| common == lowered) {
        problems.push("This password is too common.".to_owned());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Emails are compared and stored in lower case and without surrounding spaces.
fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A loose shape check: something, one `@`, a domain with a dot, no spaces, at most 254
/// characters. Whether the address exists only a confirmation email could tell.
pub fn looks_like_email(email: &str) -> bool {
    let email = email.trim();
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !email.chars().any(char::is_whitespace)
                && email.chars().count() <= 254
        }
        None => false,
    }
}

fn email_rule(email: &str, _context: &()) -> garde::Result {
    if looks_like_email(email) {
        Ok(())
    } else {
        Err(garde::Error::new(
            "Enter an email address, like name@example.com.",
        ))
    }
}

// ---------------------------------------------------------------------------------------
// Users in the database

/// Adds a user whose password is already hashed. `Ok(None)` when the email is taken.
pub async fn create_user(
    pool: &db::Pool,
    email: &str,
    password_hash: &str,
    is_staff: bool,
) -> Result<Option<User>, sqlx::Error> {
    let inserted: Result<UserRow, sqlx::Error> = sqlx::query_as(
        "INSERT INTO users (email, password_hash, is_staff, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id, email, is_staff, created_at",
    )
    .bind(normalize_email(email))
    .bind(password_hash)
    .bind(is_staff)
    .bind(db::unix_now())
    .fetch_one(pool)
    .await;
    match inserted {
        Ok(row) => Ok(Some(user_from_row(row))),
        Err(sqlx::Error::Database(err)) if err.is_unique_violation() => Ok(None),
        Err(err) => Err(err),
    }
}

/// The user with this id, if there is one.
pub async fn find_user(pool: &db::Pool, id: i64) -> Result<Option<User>, sqlx::Error> {
    let row: Option<UserRow> =
        sqlx::query_as("SELECT id, email, is_staff, created_at FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(user_from_row))
}

/// The user with this email and their password hash, for the login.
async fn find_login(pool: &db::Pool, email: &str) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, password_hash FROM users WHERE email = $1")
        .bind(normalize_email(email))
        .fetch_optional(pool)
        .await
}

// ---------------------------------------------------------------------------------------
// Extractors

/// The logged-in user. A visitor who is not logged in is sent to `/login?next=<this
/// page>` (303), and comes back here after logging in.
#[derive(Clone, Debug)]
pub struct CurrentUser(pub User);

/// A logged-in staff user: others get 403, visitors the login redirect.
#[derive(Clone, Debug)]
pub struct RequireStaff(pub User);

/// The user whose id the request's session holds, if any.
async fn session_user<S>(parts: &mut Parts, state: &S) -> Result<Option<User>, Response>
where
    S: Send + Sync,
    Auth: FromRef<S>,
{
    let Some(session) = parts.extensions.get::<Session>().cloned() else {
        tracing::error!("the auth extractors need the session layer around the route");
        return Err(StatusCode::INTERNAL_SERVER_ERROR.into_response());
    };
    let id: Option<i64> = session
        .get(USER_ID_KEY)
        .await
        .map_err(|err| ServerError::from(err).into_response())?;
    let Some(id) = id else {
        return Ok(None);
    };
    let auth = Auth::from_ref(state);
    find_user(&auth.db, id)
        .await
        .map_err(|err| ServerError::from(err).into_response())
}

/// `/login?next=<the path and query of this request>`.
fn login_redirect(parts: &Parts) -> Response {
    let here = parts
        .uri
        .path_and_query()
        .map_or("/", |path_and_query| path_and_query.as_str());
    let query = serde_urlencoded::to_string([("next", here)]).unwrap_or_default();
    Redirect::to(&format!("/login?{query}")).into_response()
}

impl<S> FromRequestParts<S> for CurrentUser
where
    S: Send + Sync,
    Auth: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match session_user(parts, state).await? {
            Some(user) => Ok(Self(user)),
            None => Err(login_redirect(parts)),
        }
    }
}

/// `Option<CurrentUser>`: `None` for a visitor who is not logged in.
impl<S> OptionalFromRequestParts<S> for CurrentUser
where
    S: Send + Sync,
    Auth: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(session_user(parts, state).await?.map(Self))
    }
}

impl<S> FromRequestParts<S> for RequireStaff
where
    S: Send + Sync,
    Auth: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let CurrentUser(user) =
            <CurrentUser as FromRequestParts<S>>::from_request_parts(parts, state).await?;
        if user.is_staff {
            Ok(Self(user))
        } else {
            Err((StatusCode::FORBIDDEN, "Forbidden: staff only\n").into_response())
        }
    }
}

/// What the layout's navigation needs (`templates/base.html`): `current_user` and, for
/// its logout form, the CSRF token, when someone is logged in. Add
/// [`Nav::context`] to the context of every page.
pub struct Nav(Value);

impl Nav {
    pub fn context(&self) -> Value {
        self.0.clone()
    }
}

impl<S> FromRequestParts<S> for Nav
where
    S: Send + Sync,
    Auth: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Some(user) = session_user(parts, state).await? else {
            // No token: a page without a form gives an anonymous visitor no cookie.
            return Ok(Self(context! {}));
        };
        // Logged in, the session holds the token (rotated at login): nothing is set.
        let token = CsrfToken::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Self(context! {
            current_user => user_context(&user),
            ..forms::csrf_context(&token)
        }))
    }
}

fn user_context(user: &User) -> Value {
    context! {
        id => user.id,
        email => user.email.clone(),
        is_staff => user.is_staff,
        created_at => user.created_at,
    }
}

// ---------------------------------------------------------------------------------------
// Pages

/// The login form. `next` is where to go after logging in; it comes back as a hidden
/// field and is checked by [`safe_next`].
#[derive(Deserialize, Validate)]
pub struct LoginForm {
    #[garde(length(chars, max = 254))]
    email: String,
    #[garde(length(chars, max = 4096))]
    password: String,
    #[garde(skip)]
    #[serde(default)]
    next: Option<String>,
}

impl FormPage for LoginForm {
    const TEMPLATE: &'static str = "login.html";
}

/// The registration form.
#[derive(Deserialize, Validate)]
pub struct RegisterForm {
    #[garde(length(chars, max = 254), custom(email_rule))]
    email: String,
    #[garde(length(chars, max = 4096))]
    password: String,
}

impl FormPage for RegisterForm {
    const TEMPLATE: &'static str = "register.html";
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// `next` if it is a path on this site (one leading `/`, not `//`, no backslash, only
/// printable ASCII as in any URL), else `/`: a login link must not lead to another site.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && path.bytes().all(|byte| byte.is_ascii_graphic()) =>
        {
            path
        }
        _ => "/",
    }
}

/// Renders a form page: what was typed (never the password), messages by field, the
/// CSRF token and the navigation.
fn render_form(
    templates: &Templates,
    template: &str,
    token: &CsrfToken,
    form: BTreeMap<&str, String>,
    errors: BTreeMap<&str, Vec<String>>,
    nav: Value,
) -> Result<Html<String>, RenderError> {
    let context = minijinja::value::merge_maps([
        context! { form => Value::from(form), errors => Value::from(errors) },
        forms::csrf_context(token),
        nav,
    ]);
    templates.render(template, context)
}

async fn login_page(
    State(state): State<crate::AppState>,
    token: CsrfToken,
    nav: Nav,
    Query(query): Query<NextQuery>,
) -> Result<Html<String>, ServerError> {
    let mut form = BTreeMap::new();
    if let Some(next) = query.next {
        form.insert("next", safe_next(Some(&next)).to_owned());
    }
    let page = render_form(
        &state.templates,
        "login.html",
        &token,
        form,
        BTreeMap::new(),
        nav.context(),
    )?;
    Ok(page)
}

async fn register_page(
    State(state): State<crate::AppState>,
    token: CsrfToken,
    nav: Nav,
) -> Result<Html<String>, ServerError> {
    let page = render_form(
        &state.templates,
        "register.html",
        &token,
        BTreeMap::new(),
        BTreeMap::new(),
        nav.context(),
    )?;
    Ok(page)
}

/// The client's address as the server saw it (`main` serves with connect info). Behind a
/// proxy this is the proxy: see the README before counting on the rate limit there.
fn client_ip(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |info| info.0.ip().to_string())
}

/// The client address, taken before the form (which reads the body).
pub struct ClientIp(String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(client_ip(parts)))
    }
}

async fn login(
    State(state): State<crate::AppState>,
    session: Session,
    token: CsrfToken,
    ClientIp(ip): ClientIp,
    Query(query): Query<NextQuery>,
    ValidForm(form): ValidForm<LoginForm>,
) -> Result<Response, ServerError> {
    let next = form.next.clone().or(query.next);
    let typed = BTreeMap::from([
        ("email", form.email.clone()),
        ("next", safe_next(next.as_deref()).to_owned()),
    ]);
    let failed = |status: StatusCode, message: &str| -> Result<Response, ServerError> {
        let errors = BTreeMap::from([("form", vec![message.to_owned()])]);
        let page = render_form(
            &state.templates,
            "login.html",
            &token,
            typed.clone(),
            errors,
            context! {},
        )?;
        Ok((status, page).into_response())
    };

    let key = (ip, normalize_email(&form.email));
    if let Some(retry_after) = state.auth.limiter.hit(key, Instant::now()) {
        tracing::warn!("login rate limit reached");
        let mut response = failed(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many attempts. Wait a few minutes and try again.",
        )?;
        if let Ok(value) = HeaderValue::try_from(retry_after.as_secs().max(1).to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return Ok(response);
    }

    let found = find_login(&state.auth.db, &form.email).await?;
    let password = form.password;
    let user_id = tokio::task::spawn_blocking(move || match found {
        Some((id, hash)) => verify_password(&password, &hash).then_some(id),
        None => {
            // As slow as checking a real hash, so the time taken does not tell whether
            // the email has an account.
            let _ = hash_password(&password);
            None
        }
    })
    .await
    .map_err(|err| ServerError::Internal(format!("password check: {err}")))?;
    let Some(user_id) = user_id else {
        return failed(StatusCode::OK, LOGIN_FAILED);
    };

    start_session(&session, user_id).await?;
    Ok(Redirect::to(safe_next(next.as_deref())).into_response())
}

/// Logs `user_id` in: a new session id (an id planted before login is worthless), the
/// user's id in it, and a new CSRF token (tokens seen before login stop working).
async fn start_session(session: &Session, user_id: i64) -> Result<(), ServerError> {
    session.cycle_id().await?;
    session.insert(USER_ID_KEY, user_id).await?;
    csrf::rotate(session).await?;
    Ok(())
}

async fn register(
    State(state): State<crate::AppState>,
    session: Session,
    token: CsrfToken,
    ValidForm(form): ValidForm<RegisterForm>,
) -> Result<Response, ServerError> {
    let email = normalize_email(&form.email);
    let refused = |field: &'static str, messages: Vec<String>| -> Result<Response, ServerError> {
        let typed = BTreeMap::from([("email", form.email.clone())]);
        let page = render_form(
            &state.templates,
            "register.html",
            &token,
            typed,
            BTreeMap::from([(field, messages)]),
            context! {},
        )?;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    if let Err(problems) = check_password_rules(&form.password, &email) {
        return refused("password", problems);
    }
    let password = form.password.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|err| ServerError::Internal(format!("password hash: {err}")))?
        .map_err(ServerError::Internal)?;
    let Some(user) = create_user(&state.auth.db, &email, &hash, false).await? else {
        return refused(
            "email",
            vec!["An account with this email already exists. Log in instead.".to_owned()],
        );
    };
    start_session(&session, user.id).await?;
    Ok(Redirect::to("/").into_response())
}

/// Ends the session on the server (a copy of the cookie is worthless afterwards) and
/// gives the visitor a fresh CSRF token.
async fn logout(session: Session) -> Result<Redirect, ServerError> {
    session.flush().await?;
    csrf::rotate(&session).await?;
    Ok(Redirect::to("/"))
}

// ---------------------------------------------------------------------------------------
// Login rate limit

/// Login attempts per (client address, email), in this process's memory: a restart
/// forgets them, and each process counts its own.
#[derive(Clone, Default)]
struct RateLimiter(Arc<Mutex<HashMap<(String, String), Window>>>);

#[derive(Clone, Copy)]
struct Window {
    started: Instant,
    attempts: u32,
}

/// Above this many tracked keys, windows that have ended are dropped, so a flood of
/// made-up emails cannot grow the map for ever.
const LIMITER_PRUNE_AT: usize = 10_000;

impl RateLimiter {
    /// Counts an attempt made at `now`. `Some(wait)` when it is one too many: the
    /// window ends `wait` from now.
    fn hit(&self, key: (String, String), now: Instant) -> Option<Duration> {
        let mut windows = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if windows.len() >= LIMITER_PRUNE_AT {
            windows.retain(|_, window| now.duration_since(window.started) < LOGIN_WINDOW);
        }
        let window = windows.entry(key).or_insert(Window {
            started: now,
            attempts: 0,
        });
        if now.duration_since(window.started) >= LOGIN_WINDOW {
            *window = Window {
                started: now,
                attempts: 0,
            };
        }
        window.attempts += 1;
        (window.attempts > LOGIN_ATTEMPTS)
            .then(|| LOGIN_WINDOW.saturating_sub(now.duration_since(window.started)))
    }
}

// ---------------------------------------------------------------------------------------
// The createsuperuser command

/// A `createsuperuser` failure, worded for the person running it.
pub struct CommandError(String);

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// `main` prints the `Debug` form of the error it returns: make that the plain message.
impl fmt::Debug for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CommandError {}

/// `cargo run -- createsuperuser [--email EMAIL] [--no-input]`: adds a staff user. The
/// command line (`src/cli.rs`) parses its flags.
#[derive(Debug, Default, PartialEq, Eq, clap::Args)]
pub struct Createsuperuser {
    /// The new user's email.
    #[arg(long)]
    pub email: Option<String>,
    /// Ask nothing: the password comes from the SUPERUSER_PASSWORD variable.
    #[arg(long, alias = "noinput")]
    pub no_input: bool,
}

/// The email and password to use without asking: `--no-input` needs `--email` and
/// `SUPERUSER_PASSWORD`; without `--no-input` there must be a terminal to ask at.
fn superuser_without_prompts(
    args: &Createsuperuser,
    password_env: Option<String>,
    terminal: bool,
) -> Result<Option<(String, String)>, CommandError> {
    if !args.no_input {
        if terminal {
            return Ok(None);
        }
        return Err(CommandError(
            "createsuperuser asks for the password at a terminal, and there is none\n\
             help: run `createsuperuser --email EMAIL --no-input` with the password in \
             SUPERUSER_PASSWORD"
                .to_owned(),
        ));
    }
    let Some(email) = args.email.clone() else {
        return Err(CommandError(
            "createsuperuser --no-input needs --email EMAIL".to_owned(),
        ));
    };
    match password_env {
        Some(password) if !password.is_empty() => Ok(Some((email, password))),
        _ => Err(CommandError(
            "createsuperuser --no-input takes the password from SUPERUSER_PASSWORD, which is \
             not set"
                .to_owned(),
        )),
    }
}

/// Asks for the email (unless given) and the password twice, without echoing it.
fn prompt_superuser(email: Option<String>) -> Result<(String, String), CommandError> {
    let io_error = |err: io::Error| CommandError(format!("cannot read from the terminal: {err}"));
    let email = match email {
        Some(email) => email,
        None => {
            print!("Email: ");
            io::stdout().flush().map_err(io_error)?;
            let mut line = String::new();
            io::stdin().lock().read_line(&mut line).map_err(io_error)?;
            line.trim().to_owned()
        }
    };
    let password = rpassword::prompt_password("Password: ").map_err(io_error)?;
    let again = rpassword::prompt_password("Password (again): ").map_err(io_error)?;
    if password != again {
        return Err(CommandError("the two passwords differ".to_owned()));
    }
    Ok((email, password))
}

/// Checks the email and the password rules, then adds a staff user.
async fn add_superuser(
    pool: &db::Pool,
    email: &str,
    password: String,
) -> Result<User, CommandError> {
    let email = normalize_email(email);
    if !looks_like_email(&email) {
        return Err(CommandError(format!("{email:?} is not an email address")));
    }
    if let Err(problems) = check_password_rules(&password, &email) {
        return Err(CommandError(format!(
            "password refused: {}",
            problems.join(" ")
        )));
    }
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|err| CommandError(err.to_string()))?
        .map_err(CommandError)?;
    create_user(pool, &email, &hash, true)
        .await
        .map_err(|err| CommandError(format!("cannot add the user: {err}")))?
        .ok_or_else(|| CommandError(format!("a user with the email {email} exists already")))
}

impl Createsuperuser {
    /// Asks for what the flags do not give (at a terminal only), then adds the user.
    pub async fn run(self, pool: &db::Pool) -> Result<(), CommandError> {
        let password_env = std::env::var("SUPERUSER_PASSWORD").ok();
        let (email, password) =
            match superuser_without_prompts(&self, password_env, io::stdin().is_terminal())? {
                Some(given) => given,
                None => prompt_superuser(self.email)?,
            };
        let user = add_superuser(pool, &email, password).await?;
        println!("Superuser {} created.", user.email);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use axum::body::Body;
    use axum::http::{HeaderMap, Request};
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use crate::AppState;

    /// A password that follows the rules.
    const PASSWORD: &str = "correct horse battery staple";

    /// An email no other test, nor an earlier run on the same database, has used.
    fn unique_email(name: &str) -> String {
        let suffix: u64 = rand::random();
        format!("{name}-{suffix:x}@example.com")
    }

    /// A browser: sends requests to the app and keeps the cookies it is given.
    struct Browser {
        app: Router,
        cookies: BTreeMap<String, String>,
    }

    struct Page {
        status: StatusCode,
        headers: HeaderMap,
        body: String,
    }

    impl Page {
        fn location(&self) -> &str {
            self.headers
                .get(header::LOCATION)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default()
        }

        /// The value of the form's hidden `csrf_token` input.
        fn csrf_token(&self) -> String {
            let input = r#"name="csrf_token" value=""#;
            let start = self.body.find(input).expect("a csrf_token input") + input.len();
            self.body[start..]
                .split('"')
                .next()
                .expect("value")
                .to_owned()
        }
    }

    impl Browser {
        async fn new() -> (Self, AppState) {
            let state = AppState::from_env().await.expect("state builds");
            let browser = Self {
                app: crate::app(state.clone()),
                cookies: BTreeMap::new(),
            };
            (browser, state)
        }

        fn cookie_header(&self) -> String {
            self.cookies
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect::<Vec<_>>()
                .join("; ")
        }

        async fn send_to(&mut self, router: &Router, request: Request<Body>) -> Page {
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
            let bytes = response.into_body().collect().await.expect("body");
            let body = String::from_utf8(bytes.to_bytes().to_vec()).expect("UTF-8 body");
            Page {
                status,
                headers,
                body,
            }
        }

        async fn get(&mut self, uri: &str) -> Page {
            let app = self.app.clone();
            self.get_from(&app, uri).await
        }

        async fn get_from(&mut self, router: &Router, uri: &str) -> Page {
            let request = Request::get(uri)
                .header(header::COOKIE, self.cookie_header())
                .body(Body::empty())
                .expect("request");
            self.send_to(router, request).await
        }

        async fn post(&mut self, uri: &str, fields: &[(&str, &str)]) -> Page {
            let request = Request::post(uri)
                .header(header::COOKIE, self.cookie_header())
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(
                    serde_urlencoded::to_string(fields).expect("encodes"),
                ))
                .expect("request");
            let app = self.app.clone();
            self.send_to(&app, request).await
        }

        /// Shows the form at `uri` and posts it with its token.
        async fn submit(&mut self, uri: &str, fields: &[(&str, &str)]) -> Page {
            let path = uri.split('?').next().unwrap_or(uri);
            let token = self.get(path).await.csrf_token();
            let mut fields = fields.to_vec();
            fields.push(("csrf_token", &token));
            self.post(uri, &fields).await
        }

        async fn register(&mut self, email: &str, password: &str) -> Page {
            self.submit("/register", &[("email", email), ("password", password)])
                .await
        }

        async fn login(&mut self, email: &str, password: &str) -> Page {
            self.submit("/login", &[("email", email), ("password", password)])
                .await
        }

        /// Logs out with the token the home page's logout form carries.
        async fn logout(&mut self) {
            let token = self.get("/").await.csrf_token();
            let page = self.post("/logout", &[("csrf_token", &token)]).await;
            assert_eq!(page.status, StatusCode::SEE_OTHER);
        }

        /// Another browser, with no cookies, on the same app.
        fn stranger(&self) -> Self {
            Self {
                app: self.app.clone(),
                cookies: BTreeMap::new(),
            }
        }
    }

    /// A route behind each extractor, with the app's session layer, standing for a
    /// page of the app (an admin page for `RequireStaff`).
    fn protected_routes(state: &AppState) -> Router {
        Router::new()
            .route(
                "/staff-only",
                get(|RequireStaff(user): RequireStaff| async move { user.email }),
            )
            .route(
                "/me",
                get(|CurrentUser(user): CurrentUser| async move { user.email }),
            )
            .route(
                "/maybe",
                get(|user: Option<CurrentUser>| async move {
                    user.map_or_else(|| "nobody".to_owned(), |CurrentUser(user)| user.email)
                }),
            )
            .with_state(state.clone())
            .layer(crate::sessions::layer(
                state.sessions.clone(),
                &state.config,
            ))
    }

    async fn password_hash(state: &AppState, email: &str) -> String {
        sqlx::query_scalar("SELECT password_hash FROM users WHERE email = $1")
            .bind(email)
            .fetch_one(&state.db)
            .await
            .expect("the user exists")
    }

    #[tokio::test]
    async fn register_log_out_and_log_in_again() {
        let (mut browser, state) = Browser::new().await;
        let email = unique_email("ada");

        let page = browser.get("/register").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body
                .contains(r#"<form method="post" action="/register">"#)
        );
        assert!(page.body.contains(r#"name="csrf_token""#), "{}", page.body);

        let registered = browser.register(&email, PASSWORD).await;
        assert_eq!(registered.status, StatusCode::SEE_OTHER);
        assert_eq!(registered.location(), "/");
        let home = browser.get("/").await;
        assert!(home.body.contains(&email), "{}", home.body);
        assert!(home.body.contains(r#"action="/logout""#), "{}", home.body);

        // S12: only an argon2id hash is stored.
        let hash = password_hash(&state, &email).await;
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains(PASSWORD));

        // S5: logout is POST only, and ends the session on the server.
        let session_cookie = browser.cookies[crate::sessions::COOKIE_NAME].clone();
        assert_eq!(
            browser.get("/logout").await.status,
            StatusCode::METHOD_NOT_ALLOWED
        );
        browser.logout().await;
        let home = browser.get("/").await;
        assert!(!home.body.contains(&email), "{}", home.body);
        assert!(home.body.contains(r#"href="/login""#), "{}", home.body);
        // One account per email, whatever its capitals.
        let taken = browser.register(&email.to_uppercase(), PASSWORD).await;
        assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(taken.body.contains("already exists"), "{}", taken.body);
        // Replaying the old cookie does not bring the session back.
        let mut replay = browser.stranger();
        replay
            .cookies
            .insert(crate::sessions::COOKIE_NAME.to_owned(), session_cookie);
        let me = replay.get_from(&protected_routes(&state), "/me").await;
        assert_eq!(me.status, StatusCode::SEE_OTHER);
        assert_eq!(me.location(), "/login?next=%2Fme");

        let again = browser.login(&email.to_uppercase(), PASSWORD).await;
        assert_eq!(again.status, StatusCode::SEE_OTHER);
        assert!(browser.get("/").await.body.contains(&email));
    }

    #[tokio::test]
    async fn login_needs_the_csrf_token() {
        // S2: without the token, or with a wrong one, 403; with it, the login works.
        let (mut browser, _state) = Browser::new().await;
        let email = unique_email("grace");
        browser.register(&email, PASSWORD).await;
        let mut visitor = browser.stranger();
        visitor.get("/login").await;
        let fields = [("email", email.as_str()), ("password", PASSWORD)];
        assert_eq!(
            visitor.post("/login", &fields).await.status,
            StatusCode::FORBIDDEN
        );
        let wrong = "0".repeat(64);
        let mut with_wrong = fields.to_vec();
        with_wrong.push(("csrf_token", &wrong));
        assert_eq!(
            visitor.post("/login", &with_wrong).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            visitor.login(&email, PASSWORD).await.status,
            StatusCode::SEE_OTHER
        );
    }

    #[tokio::test]
    async fn login_rotates_the_session_id_and_the_csrf_token() {
        // S4
        let (mut browser, state) = Browser::new().await;
        let email = unique_email("rotate");
        browser.register(&email, PASSWORD).await;
        // Logging out leaves a session holding a fresh token: the id an attacker could
        // have planted, which must not become the logged-in session.
        browser.logout().await;
        let routes = protected_routes(&state);
        let login_page = browser.get("/login").await;
        let old_token = login_page.csrf_token();
        let token = old_token.clone();
        let failed = browser
            .post(
                "/login",
                &[
                    ("email", email.as_str()),
                    ("password", "wrong password!"),
                    ("csrf_token", &token),
                ],
            )
            .await;
        assert_eq!(failed.status, StatusCode::OK);
        let before = browser.cookies.clone();

        let page = browser
            .post(
                "/login",
                &[
                    ("email", email.as_str()),
                    ("password", PASSWORD),
                    ("csrf_token", &token),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        let session_cookie = &browser.cookies[crate::sessions::COOKIE_NAME];
        let old_cookie = before
            .get(crate::sessions::COOKIE_NAME)
            .expect("a session before the login");
        assert_ne!(old_cookie, session_cookie);
        assert_eq!(browser.get_from(&routes, "/me").await.body, email);

        // The cookie from before the login does not authenticate.
        let mut old = browser.stranger();
        old.cookies = before;
        assert_eq!(
            old.get_from(&routes, "/me").await.status,
            StatusCode::SEE_OTHER
        );

        // The token from before the login is refused; the new one works.
        let refused = browser.post("/logout", &[("csrf_token", &old_token)]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let new_token = browser.get("/").await.csrf_token();
        assert_ne!(new_token, old_token);
        let accepted = browser.post("/logout", &[("csrf_token", &new_token)]).await;
        assert_eq!(accepted.status, StatusCode::SEE_OTHER);
    }

    #[tokio::test]
    async fn unknown_email_and_wrong_password_get_the_same_answer() {
        // S14, and S11: an injection attempt is just an unknown email.
        let (mut browser, _state) = Browser::new().await;
        let email = unique_email("enum");
        browser.register(&email, PASSWORD).await;

        let mut answers = Vec::new();
        for (email, password) in [
            (email.as_str(), "not the password"),
            ("nobody@example.com", "not the password"),
            ("' OR '1'='1", "' OR '1'='1"),
        ] {
            let page = browser.stranger().login(email, password).await;
            assert_eq!(page.status, StatusCode::OK, "{email}");
            assert!(page.body.contains(LOGIN_FAILED), "{}", page.body);
            // The pages differ only in the email typed back and the token.
            let body = page
                .body
                .replace(&page.csrf_token(), "TOKEN")
                .replace(&minijinja_escape(email), "EMAIL");
            answers.push((page.status, body));
        }
        assert_eq!(answers[0], answers[1]);
        assert_eq!(answers[1], answers[2]);
    }

    /// How the templates print `value`.
    fn minijinja_escape(value: &str) -> String {
        let mut env = minijinja::Environment::new();
        env.add_template("value.html", "{{ value }}")
            .expect("template");
        env.get_template("value.html")
            .expect("template")
            .render(context! { value => value })
            .expect("renders")
    }

    #[tokio::test]
    async fn weak_passwords_are_refused_with_422() {
        // S13
        let (mut browser, _state) = Browser::new().await;
        let email = unique_email("weak");
        for (password, message) in [
            ("short", "at least 8 characters"),
            ("password123", "too common"),
            (email.as_str(), "not be your email"),
        ] {
            let page = browser.register(&email, password).await;
            assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{password}");
            assert!(
                page.body.contains(r#"id="password-error""#),
                "{}",
                page.body
            );
            assert!(page.body.contains(message), "{}", page.body);
            // What was typed comes back, except the password.
            assert!(page.body.contains(&email), "{}", page.body);
        }
        let page = browser.register("not an email", PASSWORD).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.body.contains(r#"id="email-error""#), "{}", page.body);
    }

    #[test]
    fn password_rules() {
        assert!(check_password_rules(PASSWORD, "ada@example.com").is_ok());
        let problems = check_password_rules("qwerty", "ada@example.com").expect_err("weak");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(check_password_rules("Ada@Example.com", "ada@example.com").is_err());
        assert!(check_password_rules("adalovelace", "adalovelace@example.com").is_err());
        assert!(check_password_rules("Password1", "ada@example.com").is_err());
    }

    #[tokio::test]
    async fn a_script_in_an_email_is_escaped() {
        // S7
        let (mut browser, _state) = Browser::new().await;
        let email = format!("<script>alert(1)</script>{}", unique_email(""));
        let registered = browser.register(&email, PASSWORD).await;
        assert_eq!(registered.status, StatusCode::SEE_OTHER);
        let home = browser.get("/").await;
        assert!(
            home.body.contains("&lt;script&gt;alert(1)"),
            "{}",
            home.body
        );
        assert!(!home.body.contains("<script>"), "{}", home.body);
    }

    #[tokio::test]
    async fn the_eleventh_login_attempt_is_refused_with_429() {
        // S15
        let (mut browser, _state) = Browser::new().await;
        let email = unique_email("limit");
        browser.register(&email, PASSWORD).await;
        let mut visitor = browser.stranger();
        let token = visitor.get("/login").await.csrf_token();
        let attempt = |password: &'static str| {
            [
                ("email", email.clone()),
                ("password", password.to_owned()),
                ("csrf_token", token.clone()),
            ]
        };
        for _ in 0..LOGIN_ATTEMPTS {
            let fields = attempt("wrong password!");
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            assert_eq!(visitor.post("/login", &fields).await.status, StatusCode::OK);
        }
        // Even the right password waits for the window to end.
        let fields = attempt(PASSWORD);
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = visitor.post("/login", &fields).await;
        assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(page.headers.contains_key(header::RETRY_AFTER));
        // Another email from the same address is not affected.
        let other = visitor.login("someone-else@example.com", PASSWORD).await;
        assert_eq!(other.status, StatusCode::OK);
    }

    #[test]
    fn the_rate_limit_window_ends_after_three_minutes() {
        let limiter = RateLimiter::default();
        let key = || ("192.0.2.1".to_owned(), "ada@example.com".to_owned());
        let start = Instant::now();
        for _ in 0..LOGIN_ATTEMPTS {
            assert!(limiter.hit(key(), start).is_none());
        }
        assert!(
            limiter
                .hit(key(), start + Duration::from_secs(60))
                .is_some()
        );
        assert!(limiter.hit(key(), start + LOGIN_WINDOW).is_none());
    }

    #[tokio::test]
    async fn extractors_redirect_visitors_and_refuse_non_staff() {
        // S17
        let (mut browser, state) = Browser::new().await;
        let routes = protected_routes(&state);

        let anonymous = browser.get_from(&routes, "/staff-only?page=2").await;
        assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
        assert_eq!(anonymous.location(), "/login?next=%2Fstaff-only%3Fpage%3D2");
        assert_eq!(browser.get_from(&routes, "/maybe").await.body, "nobody");

        let email = unique_email("staff");
        browser.register(&email, PASSWORD).await;
        assert_eq!(browser.get_from(&routes, "/maybe").await.body, email);
        let user = browser.get_from(&routes, "/staff-only").await;
        assert_eq!(user.status, StatusCode::FORBIDDEN);

        sqlx::query("UPDATE users SET is_staff = TRUE WHERE email = $1")
            .bind(&email)
            .execute(&state.db)
            .await
            .expect("promoted");
        let staff = browser.get_from(&routes, "/staff-only").await;
        assert_eq!(staff.status, StatusCode::OK);
        assert_eq!(staff.body, email);
    }

    #[tokio::test]
    async fn next_redirects_stay_on_this_site() {
        // S19
        let (mut browser, _state) = Browser::new().await;
        let email = unique_email("next");
        browser.register(&email, PASSWORD).await;
        for (next, expected) in [
            ("/orders?page=2", "/orders?page=2"),
            ("https://evil.example", "/"),
            ("//evil.example", "/"),
            ("/\\evil.example", "/"),
        ] {
            let query = serde_urlencoded::to_string([("next", next)]).expect("encodes");
            let page = browser
                .submit(
                    &format!("/login?{query}"),
                    &[("email", email.as_str()), ("password", PASSWORD)],
                )
                .await;
            assert_eq!(page.status, StatusCode::SEE_OTHER, "{next}");
            assert_eq!(page.location(), expected, "{next}");
        }
        // The login page keeps a safe `next` in its form, and drops another.
        let page = browser.get("/login?next=%2Forders").await;
        assert!(
            page.body.contains(r#"name="next" value="&#x2f;orders""#),
            "{}",
            page.body
        );
        let page = browser.get("/login?next=%2F%2Fevil.example").await;
        assert!(!page.body.contains("evil.example"), "{}", page.body);
    }

    #[tokio::test]
    async fn createsuperuser_needs_a_terminal_or_its_variables() {
        // S27 and S12
        let args = |email: Option<&str>, no_input: bool| Createsuperuser {
            email: email.map(str::to_owned),
            no_input,
        };
        let message = |result: Result<Option<(String, String)>, CommandError>| {
            result.expect_err("refused").to_string()
        };

        let interactive = args(None, false);
        assert_eq!(
            superuser_without_prompts(&interactive, None, true).expect("asks"),
            None
        );
        let refusal = message(superuser_without_prompts(&interactive, None, false));
        assert!(refusal.contains("terminal"), "{refusal}");
        assert!(refusal.contains("SUPERUSER_PASSWORD"), "{refusal}");

        let email = unique_email("admin");
        let no_input = args(Some(&email), true);
        let refusal = message(superuser_without_prompts(&no_input, None, false));
        assert!(refusal.contains("SUPERUSER_PASSWORD"), "{refusal}");
        let refusal = message(superuser_without_prompts(
            &args(None, true),
            Some(PASSWORD.to_owned()),
            false,
        ));
        assert!(refusal.contains("--email"), "{refusal}");

        let (given_email, password) =
            superuser_without_prompts(&no_input, Some(PASSWORD.to_owned()), false)
                .expect("given")
                .expect("no prompt");
        let state = AppState::from_env().await.expect("state builds");
        let weak = add_superuser(&state.db, &given_email, "password".to_owned())
            .await
            .expect_err("weak password");
        assert!(weak.to_string().contains("too common"), "{weak}");

        let user = add_superuser(&state.db, &given_email, password)
            .await
            .expect("created");
        assert!(user.is_staff);
        assert_eq!(user.email, email);
        let hash = password_hash(&state, &email).await;
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(
            add_superuser(&state.db, &email, PASSWORD.to_owned())
                .await
                .is_err()
        );
    }
}
