//! The account page of the logged-in user, and logging out everywhere.

use super::*;

/// `GET /account`: who is logged in, and the button that logs them out everywhere.
pub(super) async fn page(
    page: Page,
    CurrentUser(user): CurrentUser,
) -> Result<Html<String>, AppError> {
    Ok(page.render("account.html", context! { user => user.email })?)
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
