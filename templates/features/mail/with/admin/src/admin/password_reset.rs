//! "Send a password reset link" on a user's page: staff mail a user the link they would
//! get by asking for it at `/password-reset` (src/auth/reset.rs), without learning or
//! choosing their password.

use crate::auth::{LinkBase, Purpose};

use super::*;

/// `POST /admin/password-reset/{id}`: mails the user a reset link, and says so.
pub(super) async fn send(
    State(state): State<crate::AppState>,
    _staff: RequireStaff,
    page: Page,
    LinkBase(base): LinkBase,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let Ok(id) = id.parse::<i64>() else {
        return Ok(not_found());
    };
    let Some(user) = auth::find_user(&state.db, id).await? else {
        return Ok(not_found());
    };
    let Some(base) = base else {
        tracing::error!("BASE_URL is not set: no password reset link can be mailed");
        let context = context! { user => user.email, id => user.id, sent => false };
        let page = render(&page, "admin/password_reset.html", context)?;
        return Ok((StatusCode::SERVICE_UNAVAILABLE, page).into_response());
    };
    auth::mail_link(&state, user.id, Purpose::Reset, &user.email, &base)
        .await
        .map_err(AppError::Internal)?;
    tracing::info!(user_id = user.id, "password reset link sent by staff");
    let context = context! { user => user.email, id => user.id, sent => true };
    Ok(render(&page, "admin/password_reset.html", context)?.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::testing::{Browser, PASSWORD, unique_email};

    #[tokio::test]
    async fn staff_see_and_set_the_confirmation_and_mail_a_reset_link() {
        let (mut staff, state) = Browser::start().await;
        staff.log_in_as_new_user(&state, true).await;
        let email = unique_email("member");
        let hash = auth::hash_password(PASSWORD).expect("hashes");
        let user = auth::create_user(&state.db, &email, &hash, false)
            .await
            .expect("inserted")
            .expect("new email");
        let edit = format!("/admin/users/{}/edit", user.id);
        let page = staff.get(&edit).await;
        assert!(
            page.body.contains(r#"name="email_verified""#),
            "{}",
            page.body
        );
        assert!(!page.body.contains("checked"), "{}", page.body);

        let fields = [
            ("email", email.as_str()),
            ("password", ""),
            ("email_verified", "on"),
        ];
        let saved = staff.submit(&edit, &edit, &fields).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        assert!(auth::is_verified(&state.db, user.id).await.expect("query"));
        assert!(staff.get(&edit).await.body.contains("checked"));

        let send = format!("/admin/password-reset/{}", user.id);
        let sent = staff.submit(&edit, &send, &[]).await;
        assert_eq!(sent.status, StatusCode::OK);
        assert!(sent.body.contains("is on its way to"), "{}", sent.body);
        let (_, link) = auth::mailed_link(&state, &email, Purpose::Reset).await;
        assert_eq!(staff.stranger().get(&link).await.status, StatusCode::OK);
        let unknown = staff
            .submit(&edit, "/admin/password-reset/999999999", &[])
            .await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);

        // Other users may not.
        let mut member = staff.stranger();
        member.login(&email, PASSWORD).await;
        let refused = member.submit("/account", &send, &[]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    }
}
