//! The account page of the logged-in user: changing the password, and logging out
//! everywhere.

use super::*;

/// The password change: the current password, then the new one.
#[derive(Deserialize, Validate)]
pub struct PasswordChangeForm {
    #[garde(length(chars, max = 4096))]
    current_password: String,
    #[garde(length(chars, max = 4096))]
    new_password: String,
}

impl FormPage for PasswordChangeForm {
    const TEMPLATE: &'static str = "account.html";
}

/// `/account?password=changed`: where a password change leads.
#[derive(Deserialize)]
pub struct AccountQuery {
    password: Option<String>,
}

/// `GET /account`: who is logged in, the password change, and "log out everywhere".
pub(super) async fn page(
    page: Page,
    token: CsrfToken,
    CurrentUser(_): CurrentUser,
    Query(query): Query<AccountQuery>,
) -> Result<Html<String>, AppError> {
    let changed = query.password.as_deref() == Some("changed");
    let context = context! { password_changed => changed };
    let (typed, errors) = (Values::new(), Errors::new());
    let template = PasswordChangeForm::TEMPLATE;
    Ok(forms::render(
        &page, template, &token, &typed, &errors, context,
    )?)
}

/// `POST /account/password`: checks the current password (a wrong one counts as a failed
/// login, under the same limit), sets the new one, keeps this session logged in and ends
/// every other login of the user.
pub(super) async fn change_password(
    State(state): State<crate::AppState>,
    page: Page,
    session: Session,
    token: CsrfToken,
    ClientIp(ip): ClientIp,
    CurrentUser(user): CurrentUser,
    ValidForm(form): ValidForm<PasswordChangeForm>,
) -> Result<Response, AppError> {
    let db = &state.auth.db;
    let refused = |status: StatusCode, field: &str, messages: Vec<String>| {
        let errors = Errors::from([(field.to_owned(), messages)]);
        let template = PasswordChangeForm::TEMPLATE;
        let page = forms::render(
            &page,
            template,
            &token,
            &Values::new(),
            &errors,
            context! {},
        )?;
        Ok::<_, AppError>((status, page).into_response())
    };
    let now = db::unix_now();
    if wait_before_login(db, &ip, &user.email, now)
        .await?
        .is_some()
    {
        let message = "Too many attempts. Wait a few minutes and try again.".to_owned();
        return refused(StatusCode::TOO_MANY_REQUESTS, "form", vec![message]);
    }
    let Some((_, hash, epoch)) = find_login(db, &user.email).await? else {
        return Err(AppError::internal("the logged-in user has no row"));
    };
    let (current, new) = (form.current_password, form.new_password.clone());
    let checked = tokio::task::spawn_blocking(move || verify_password(&current, &hash))
        .await
        .map_err(|err| AppError::internal(format!("password check: {err}")))?;
    if !checked {
        record_login(db, &ip, &user.email, false, now).await?;
        let message = "This is not your current password.".to_owned();
        return refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "current_password",
            vec![message],
        );
    }
    if let Err(problems) = check_password_rules(&form.new_password, &user.email) {
        return refused(StatusCode::UNPROCESSABLE_ENTITY, "new_password", problems);
    }
    let new_hash = tokio::task::spawn_blocking(move || hash_password(&new))
        .await
        .map_err(|err| AppError::internal(format!("password hash: {err}")))?
        .map_err(AppError::internal)?;
    set_password(db, user.id, &new_hash).await?;
    // This session carries the new password's stamp; every other one, the old stamp.
    start_session(&session, user.id, &login_stamp(&new_hash, epoch)).await?;
    Ok(Redirect::to("/account?password=changed").into_response())
}

/// `POST /account/logout-everywhere`: ends every login of the user, on every device and
/// browser, this one included, for a lost phone or a shared computer.
pub(super) async fn logout_everywhere(
    State(state): State<crate::AppState>,
    session: Session,
    CurrentUser(user): CurrentUser,
) -> Result<Redirect, AppError> {
    end_every_login(&state.auth.db, user.id).await?;
    session.flush().await?;
    csrf::rotate(&session).await?;
    Ok(Redirect::to("/login"))
}
