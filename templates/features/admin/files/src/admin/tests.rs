//! Tests of the admin: who may enter, the lists, the forms, deleting, and escaping.

use super::*;

use crate::AppState;
use crate::auth::testing::{Browser, PASSWORD, unique_email};

/// Adds a user without a usable password (fast: nothing is hashed).
async fn add_user(state: &AppState, email: &str) -> i64 {
    auth::create_user(&state.db, email, "not a hash", false)
        .await
        .expect("inserted")
        .expect("new email")
        .id
}

async fn user_email(state: &AppState, id: i64) -> Option<String> {
    auth::find_user(&state.db, id)
        .await
        .expect("query")
        .map(|user| user.email)
}

#[tokio::test]
async fn only_staff_may_enter() {
    // S17
    let (mut browser, state) = Browser::start().await;
    let id = add_user(&state, &unique_email("target")).await;
    let pages = [
        "/admin".to_owned(),
        "/admin/users".to_owned(),
        "/admin/users/new".to_owned(),
        format!("/admin/users/{id}/edit"),
        format!("/admin/users/{id}/delete"),
    ];
    for uri in &pages {
        let page = browser.get(uri).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{uri}");
        let next = serde_urlencoded::to_string([("next", uri)]).expect("encodes");
        assert_eq!(page.location, format!("/login?{next}"), "{uri}");
    }

    browser.log_in_as_new_user(&state, false).await;
    for uri in &pages {
        assert_eq!(
            browser.get(uri).await.status,
            StatusCode::FORBIDDEN,
            "{uri}"
        );
    }
    // Nor may a non-staff user post: the row stays.
    let token = browser.get("/").await.csrf_token();
    let page = browser
        .post(
            &format!("/admin/users/{id}/delete"),
            &[("csrf_token", &token)],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(user_email(&state, id).await.is_some());

    let mut staff = Browser::new(&state);
    staff.log_in_as_new_user(&state, true).await;
    for uri in &pages {
        let page = staff.get(uri).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
        // S18: no page shows a password hash.
        assert!(!page.body.contains("$argon2"), "{uri}: {}", page.body);
    }
    let dashboard = staff.get("/admin").await;
    assert!(
        dashboard.body.contains(r#"href="/admin/users""#),
        "{}",
        dashboard.body
    );
    assert_eq!(
        staff.get("/admin/nothing").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        staff.get("/admin/users/999999999/edit").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_stylesheet_is_served_and_linked() {
    let (mut browser, state) = Browser::start().await;
    let css = browser.get("/admin/admin.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.body.contains(".admin-menu"), "{}", css.body);
    browser.log_in_as_new_user(&state, true).await;
    let dashboard = browser.get("/admin").await;
    assert!(
        dashboard
            .body
            .contains(r#"<link rel="stylesheet" href="/admin/admin.css">"#),
        "{}",
        dashboard.body
    );
}

#[tokio::test]
async fn the_list_searches_and_pages() {
    let (mut browser, state) = Browser::start().await;
    browser.log_in_as_new_user(&state, true).await;
    let tag: u32 = rand::random();
    for n in 0..105 {
        add_user(&state, &format!("page{tag:x}-{n:03}@example.com")).await;
    }
    let other = unique_email("other");
    add_user(&state, &other).await;

    let first = browser.get(&format!("/admin/users?q=page{tag:x}")).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(
        first.body.contains(&format!("page{tag:x}-000@")),
        "{}",
        first.body
    );
    assert!(first.body.contains(&format!("page{tag:x}-099@")));
    assert!(!first.body.contains(&format!("page{tag:x}-100@")));
    assert!(!first.body.contains(&other), "{}", first.body);
    assert!(first.body.contains("105 in all"), "{}", first.body);
    // The link to the next page keeps the search (the `/` are escaped as `&#x2f;`).
    let next = format!(r#"users?q=page{tag:x}&amp;page=2" rel="next""#);
    assert!(first.body.contains(&next), "{}", first.body);

    let second = browser
        .get(&format!("/admin/users?q=page{tag:x}&page=2"))
        .await;
    assert_eq!(second.status, StatusCode::OK);
    assert!(
        second.body.contains(&format!("page{tag:x}-100@")),
        "{}",
        second.body
    );
    assert!(second.body.contains(&format!("page{tag:x}-104@")));
    assert!(!second.body.contains(&format!("page{tag:x}-099@")));

    // `%` and `_` are matched as themselves, not as wildcards.
    let page = browser.get("/admin/users?q=%25").await;
    assert!(page.body.contains("No users match"), "{}", page.body);
    let page = browser
        .get(&format!("/admin/users?q=page{tag:x}_000"))
        .await;
    assert!(page.body.contains("No users match"), "{}", page.body);
    // A page that is not a number is the first.
    assert_eq!(
        browser.get("/admin/users?page=abc").await.status,
        StatusCode::OK
    );
}

#[test]
fn dates() {
    assert_eq!(date(0), "1970-01-01");
    assert_eq!(date(951_782_400), "2000-02-29");
    assert_eq!(date(1_798_675_200), "2026-12-31");
}

#[tokio::test]
async fn create_refuses_invalid_data_then_saves() {
    let (mut browser, state) = Browser::start().await;
    browser.log_in_as_new_user(&state, true).await;

    let page = browser
        .submit(
            "/admin/users/new",
            "/admin/users/new",
            &[("email", "not an email"), ("password", "short")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains(r#"id="email-error""#), "{}", page.body);
    assert!(
        page.body.contains(r#"id="password-error""#),
        "{}",
        page.body
    );
    assert!(page.body.contains("at least 8 characters"), "{}", page.body);
    assert!(
        page.body.contains(r#"value="not an email""#),
        "{}",
        page.body
    );
    assert!(!page.body.contains("short\""), "{}", page.body);

    let email = unique_email("created");
    let page = browser
        .submit(
            "/admin/users/new",
            "/admin/users/new",
            &[
                ("email", &email),
                ("password", PASSWORD),
                ("is_staff", "on"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location, "/admin/users");
    let (hash, is_staff): (String, bool) =
        sqlx::query_as("SELECT password_hash, is_staff FROM users WHERE email = $1")
            .bind(&email)
            .fetch_one(&state.db)
            .await
            .expect("the row exists");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(is_staff);

    // The same email again is refused on the email field.
    let page = browser
        .submit(
            "/admin/users/new",
            "/admin/users/new",
            &[("email", &email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("Another user has this email"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn edit_changes_email_and_staff_and_keeps_the_password() {
    let (mut browser, state) = Browser::start().await;
    browser.log_in_as_new_user(&state, true).await;
    let email = unique_email("before");
    let id = add_user(&state, &email).await;
    let uri = format!("/admin/users/{id}/edit");

    let form = browser.get(&uri).await;
    assert!(
        form.body.contains(&format!(r#"value="{email}""#)),
        "{}",
        form.body
    );
    assert!(!form.body.contains("not a hash"), "{}", form.body);

    let renamed = unique_email("after");
    let page = browser
        .submit(
            &uri,
            &uri,
            &[("email", &renamed), ("password", ""), ("is_staff", "on")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let user = auth::find_user(&state.db, id)
        .await
        .expect("query")
        .expect("still there");
    assert_eq!(user.email, renamed);
    assert!(user.is_staff);
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(&state.db)
        .await
        .expect("row");
    assert_eq!(hash, "not a hash");

    // A weak new password is refused; a good one is stored hashed.
    let page = browser
        .submit(&uri, &uri, &[("email", &renamed), ("password", "password")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("too common"), "{}", page.body);
    let page = browser
        .submit(&uri, &uri, &[("email", &renamed), ("password", PASSWORD)])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(&state.db)
        .await
        .expect("row");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    // The unticked checkbox took the staff flag away.
    let user = auth::find_user(&state.db, id)
        .await
        .expect("query")
        .expect("row");
    assert!(!user.is_staff);
}

#[tokio::test]
async fn a_password_changed_in_the_admin_logs_the_user_out_everywhere() {
    let (mut staff, state) = Browser::start().await;
    staff.log_in_as_new_user(&state, true).await;
    let mut phone = staff.stranger();
    let email = phone.log_in_as_new_user(&state, false).await;
    let mut laptop = staff.stranger();
    assert_eq!(
        laptop.login(&email, PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    for browser in [&mut phone, &mut laptop] {
        assert!(browser.get("/").await.body.contains(&email), "logged in");
    }

    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(&email)
        .fetch_one(&state.db)
        .await
        .expect("row");
    let uri = format!("/admin/users/{id}/edit");
    let new_password = "another Horse battery staple";
    let page = staff
        .submit(&uri, &uri, &[("email", &email), ("password", new_password)])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);

    for browser in [&mut phone, &mut laptop] {
        assert!(!browser.get("/").await.body.contains(&email), "logged out");
    }
    assert_eq!(
        phone.login(&email, new_password).await.status,
        StatusCode::SEE_OTHER
    );
    assert!(phone.get("/").await.body.contains(&email));
    // Changing the email or the staff flag alone leaves the logins as they are.
    let page = staff
        .submit(
            &uri,
            &uri,
            &[("email", &email), ("password", ""), ("is_staff", "on")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert!(phone.get("/").await.body.contains(&email));
}

#[tokio::test]
async fn delete_asks_then_needs_the_token() {
    let (mut browser, state) = Browser::start().await;
    browser.log_in_as_new_user(&state, true).await;
    let id = add_user(&state, &unique_email("doomed")).await;
    let uri = format!("/admin/users/{id}/delete");

    let confirm = browser.get(&uri).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(
        confirm.body.contains(&format!(r#"action="{uri}""#)),
        "{}",
        confirm.body
    );
    assert!(user_email(&state, id).await.is_some());

    let page = browser.post(&uri, &[]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(user_email(&state, id).await.is_some());

    let page = browser.submit(&uri, &uri, &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location, "/admin/users");
    assert!(user_email(&state, id).await.is_none());
    assert_eq!(browser.get(&uri).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_script_in_an_email_is_escaped_in_the_list() {
    // S7
    let (mut browser, state) = Browser::start().await;
    browser.log_in_as_new_user(&state, true).await;
    let email = format!("<script>alert(1)</script>{}", unique_email(""));
    add_user(&state, &email).await;
    let page = browser.get("/admin/users?q=alert(1)").await;
    assert!(
        page.body.contains("&lt;script&gt;alert(1)"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<script>"), "{}", page.body);
}
