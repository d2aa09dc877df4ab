//! The extractors handlers take to know who is asking, and what every page's navigation shows.

use super::*;

/// The logged-in user. A visitor who is not logged in is sent to `/login?next=<this
/// page>` (303), and comes back here after logging in.
#[derive(Clone, Debug)]
pub struct CurrentUser(pub User);

/// A logged-in staff user: others get 403, visitors the login redirect.
#[derive(Clone, Debug)]
pub struct RequireStaff(pub User);

/// The user whose id the request's session holds, if any.
pub(super) async fn session_user<S>(parts: &mut Parts, state: &S) -> Result<Option<User>, Response>
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
        .map_err(|err| AppError::from(err).into_response())?;
    let Some(id) = id else {
        return Ok(None);
    };
    let auth = Auth::from_ref(state);
    let internal = |err: AppError| err.into_response();
    let found = find_user_and_stamp(&auth.db, id)
        .await
        .map_err(|err| internal(err.into()))?;
    let stamp: Option<String> = session
        .get(LOGIN_STAMP_KEY)
        .await
        .map_err(|err| internal(err.into()))?;
    let logged_in_at: Option<i64> = session
        .get(LOGGED_IN_AT_KEY)
        .await
        .map_err(|err| internal(err.into()))?;
    match found {
        Some((user, expected))
            if login_holds(stamp.as_deref(), logged_in_at, &expected, db::unix_now()) =>
        {
            Ok(Some(user))
        }
        // The user is gone, their password changed, they logged out everywhere, or the
        // login is too old: the session
        // ends here, as a logout would end it.
        _ => {
            session.flush().await.map_err(|err| internal(err.into()))?;
            Ok(None)
        }
    }
}

/// `/login?next=<the path and query of this request>`.
pub(super) fn login_redirect(parts: &Parts) -> Response {
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

/// What the layout's navigation needs (`templates/base.html`), for every page
/// ([`crate::web::templates::Page`] adds it): `current_user` and, for its logout form, the CSRF
/// token, when someone is logged in.
pub async fn nav_context<S>(parts: &mut Parts, state: &S) -> Result<Value, Response>
where
    S: Send + Sync,
    Auth: FromRef<S>,
{
    let Some(user) = session_user(parts, state).await? else {
        // No token: a page without a form gives an anonymous visitor no cookie.
        return Ok(context! {});
    };
    // Logged in, the session holds the token (rotated at login): nothing is set.
    let token = CsrfToken::from_request_parts(parts, state)
        .await
        .map_err(IntoResponse::into_response)?;
    Ok(context! {
        current_user => user_context(&user),
        ..forms::csrf_context(&token)
    })
}

pub(super) fn user_context(user: &User) -> Value {
    context! {
        id => user.id,
        email => user.email.clone(),
        is_staff => user.is_staff,
        created_at => user.created_at,
    }
}
