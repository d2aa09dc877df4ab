//! The pages: register, log in (with the rate limit and a safe `next`), log out.

use super::*;

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

pub(super) async fn login_page(
    page: Page,
    token: CsrfToken,
    Query(query): Query<NextQuery>,
) -> Result<Html<String>, AppError> {
    let mut typed = Values::new();
    if let Some(next) = query.next {
        typed.insert("next".to_owned(), safe_next(Some(&next)).to_owned());
    }
    let errors = Errors::new();
    let template = LoginForm::TEMPLATE;
    Ok(forms::render(
        &page,
        template,
        &token,
        &typed,
        &errors,
        context! {},
    )?)
}

pub(super) async fn register_page(page: Page, token: CsrfToken) -> Result<Html<String>, AppError> {
    Ok(forms::show::<RegisterForm>(&page, &token)?)
}

/// The client's address (see [`client_address`]), taken before the form, which reads
/// the body.
pub struct ClientIp(pub String);

impl<S> FromRequestParts<S> for ClientIp
where
    S: Send + Sync,
    Auth: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let auth = Auth::from_ref(state);
        Ok(Self(client_address(parts, &auth.trusted_proxies)))
    }
}

pub(super) async fn login(
    State(state): State<crate::AppState>,
    page: Page,
    session: Session,
    token: CsrfToken,
    ClientIp(ip): ClientIp,
    Query(query): Query<NextQuery>,
    ValidForm(form): ValidForm<LoginForm>,
) -> Result<Response, AppError> {
    let next = form.next.clone().or(query.next);
    let typed = Values::from([
        ("email".to_owned(), form.email.clone()),
        ("next".to_owned(), safe_next(next.as_deref()).to_owned()),
    ]);
    let failed = |status: StatusCode, message: &str| -> Result<Response, AppError> {
        let errors = Errors::from([("form".to_owned(), vec![message.to_owned()])]);
        let template = LoginForm::TEMPLATE;
        let page = forms::render(&page, template, &token, &typed, &errors, context! {})?;
        Ok((status, page).into_response())
    };

    let email = normalize_email(&form.email);
    let now = db::unix_now();
    if let Some(retry_after) = wait_before_login(&state.auth.db, &ip, &email, now).await? {
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
    let login = tokio::task::spawn_blocking(move || match found {
        Some((id, hash, epoch)) => {
            verify_password(&password, &hash).then(|| (id, login_stamp(&hash, epoch)))
        }
        None => {
            // As slow as checking a real hash, so the time taken does not tell whether
            // the email has an account.
            let _ = hash_password(&password);
            None
        }
    })
    .await
    .map_err(|err| AppError::internal(format!("password check: {err}")))?;
    record_login(&state.auth.db, &ip, &email, login.is_some(), now).await?;
    let Some((user_id, stamp)) = login else {
        return failed(StatusCode::OK, LOGIN_FAILED);
    };
    // plinth:login-checks

    start_session(&session, user_id, &stamp).await?;
    Ok(Redirect::to(safe_next(next.as_deref())).into_response())
}

/// Logs `user_id` in: a new session id (an id planted before login is worthless), the
/// user's id in it with their [`login_stamp`] and the time, and a new CSRF token (tokens
/// seen before login stop working).
pub(super) async fn start_session(
    session: &Session,
    user_id: i64,
    stamp: &str,
) -> Result<(), AppError> {
    session.cycle_id().await?;
    session.insert(USER_ID_KEY, user_id).await?;
    session.insert(LOGIN_STAMP_KEY, stamp).await?;
    session.insert(LOGGED_IN_AT_KEY, db::unix_now()).await?;
    csrf::rotate(session).await?;
    Ok(())
}

/// A fingerprint of a user's password hash and session epoch, kept in the session: it
/// changes when the password does and when the user logs out everywhere, and tells
/// nothing about the password.
pub(super) fn login_stamp(password_hash: &str, session_epoch: i64) -> String {
    let digest = Sha256::new()
        .chain_update(b"session-stamp:")
        .chain_update(session_epoch.to_be_bytes())
        .chain_update(password_hash.as_bytes())
        .finalize();
    digest
        .iter()
        .take(16)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Whether a login made at `logged_in_at` with `stamp` still holds at `now` for a user
/// whose logins carry `expected` now.
pub(super) fn login_holds(
    stamp: Option<&str>,
    logged_in_at: Option<i64>,
    expected: &str,
    now: i64,
) -> bool {
    let lifetime = i64::try_from(LOGIN_LIFETIME.as_secs()).unwrap_or(i64::MAX);
    stamp == Some(expected) && logged_in_at.is_some_and(|at| now.saturating_sub(at) < lifetime)
}

pub(super) async fn register(
    State(state): State<crate::AppState>,
    page: Page,
    session: Session,
    token: CsrfToken,
    // plinth:register-extractors
    ValidForm(form): ValidForm<RegisterForm>,
) -> Result<Response, AppError> {
    let email = normalize_email(&form.email);
    let refused = |field: &str, messages: Vec<String>| -> Result<Response, AppError> {
        let typed = Values::from([("email".to_owned(), form.email.clone())]);
        let errors = Errors::from([(field.to_owned(), messages)]);
        let template = RegisterForm::TEMPLATE;
        let page = forms::render(&page, template, &token, &typed, &errors, context! {})?;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    if let Err(problems) = check_password_rules(&form.password, &email) {
        return refused("password", problems);
    }
    let password = form.password.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|err| AppError::internal(format!("password hash: {err}")))?
        .map_err(AppError::internal)?;
    let Some(user) = create_user(&state.auth.db, &email, &hash, false).await? else {
        return refused(
            "email",
            vec!["An account with this email already exists. Log in instead.".to_owned()],
        );
    };
    // plinth:registered
    start_session(&session, user.id, &login_stamp(&hash, 0)).await?;
    Ok(Redirect::to("/").into_response())
}

/// Ends the session on the server (a copy of the cookie is worthless afterwards) and
/// gives the visitor a fresh CSRF token.
pub(super) async fn logout(session: Session) -> Result<Redirect, AppError> {
    session.flush().await?;
    csrf::rotate(&session).await?;
    Ok(Redirect::to("/"))
}
