use std::time::Duration;

use super::super::testing::{Browser, PASSWORD, unique_email};
use super::*;

async fn ask(browser: &mut Browser, email: &str) -> super::super::testing::Page {
    browser
        .submit("/password-reset", "/password-reset", &[("email", email)])
        .await
}

#[tokio::test]
async fn a_mailed_link_sets_a_new_password_once_and_ends_every_login() {
    let (mut owner, state) = Browser::start().await;
    let email = owner.log_in_as_new_user(&state, false).await;
    assert_eq!(owner.get("/account").await.status, StatusCode::OK);

    let login = owner.stranger().get("/login").await;
    assert!(
        login.body.contains(r#"href="/password-reset""#),
        "{}",
        login.body
    );
    let mut visitor = owner.stranger();
    let sent = ask(&mut visitor, &email).await;
    assert_eq!(sent.status, StatusCode::OK);
    assert!(
        sent.body.contains("a link to choose a new"),
        "{}",
        sent.body
    );
    let (mail, link) = links::mailed_link(&state, &email, Purpose::Reset).await;
    assert_eq!(mail.subject, "Reset your password");
    assert!(
        mail.text.contains("http://localhost/password-reset/"),
        "{}",
        mail.text
    );
    // Values in HTML are escaped, `/` included: a mail program reads `&#x2f;` as `/`.
    let html = mail
        .html
        .clone()
        .expect("an HTML part")
        .replace("&#x2f;", "/");
    assert!(
        html.contains(r#"<a href="http://localhost/password-reset/"#),
        "{html}"
    );

    let form = visitor.get(&link).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("New password"), "{}", form.body);
    let weak = visitor
        .submit(&link, &link, &[("password", "password")])
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    let new_password = "a brand new passphrase";
    let done = visitor
        .submit(&link, &link, &[("password", new_password)])
        .await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(done.body.contains("has been changed"), "{}", done.body);

    // The owner's session ended; the old password is refused, the new one works.
    assert_eq!(owner.get("/account").await.status, StatusCode::SEE_OTHER);
    let old = owner.stranger().login(&email, PASSWORD).await;
    assert_eq!(old.status, StatusCode::OK, "refused: the form again");
    let new = owner.stranger().login(&email, new_password).await;
    assert_eq!(new.status, StatusCode::SEE_OTHER);
    // The link worked once.
    assert_eq!(visitor.get(&link).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_answer_is_the_same_whether_or_not_the_email_has_an_account() {
    // S14
    let (mut browser, state) = Browser::start().await;
    let known = browser.log_in_as_new_user(&state, false).await;
    let unknown = unique_email("nobody");
    // The two pages differ in the email and in the visitor's CSRF token only.
    let page = |page: super::super::testing::Page, email: &str| {
        let lines = page
            .body
            .lines()
            .filter(|line| !line.contains("csrf-token"));
        (
            page.status,
            lines.collect::<String>().replace(email, "EMAIL"),
        )
    };
    let for_known = page(ask(&mut browser.stranger(), &known).await, &known);
    let for_unknown = page(ask(&mut browser.stranger(), &unknown).await, &unknown);
    assert_eq!(for_known, for_unknown);
    links::mailed_link(&state, &known, Purpose::Reset).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let outbox = state.mail.outbox().expect("kept");
    assert!(outbox.sent_to(&unknown).is_empty());
}

#[tokio::test]
async fn a_link_stops_working_when_it_expires_or_the_password_changes() {
    let (mut browser, state) = Browser::start().await;
    let email = browser.log_in_as_new_user(&state, false).await;
    let (user_id, hash, epoch) = find_login(&state.db, &email)
        .await
        .expect("query")
        .expect("user");
    let stamp = login_stamp(&hash, epoch);
    let now = db::unix_now();
    let issue = |at: i64| {
        tokens::issue(
            &state.db,
            user_id,
            Purpose::Reset,
            &email,
            &stamp,
            Purpose::Reset.lifetime(),
            at,
        )
    };
    let expired = issue(now - 2 * 60 * 60).await.expect("issued");
    let page = browser.get(&format!("/password-reset/{expired}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        page.body.contains("This link does not work"),
        "{}",
        page.body
    );

    let fresh = issue(now).await.expect("issued");
    let path = format!("/password-reset/{fresh}");
    assert_eq!(browser.get(&path).await.status, StatusCode::OK);
    set_password(&state.db, user_id, "another hash")
        .await
        .expect("updated");
    assert_eq!(browser.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        browser.get("/password-reset/not-a-token").await.status,
        StatusCode::NOT_FOUND
    );

    // Only the token's hash is stored.
    let stored: Option<(String,)> =
        sqlx::query_as("SELECT token_hash FROM user_tokens WHERE token_hash = $1")
            .bind(&fresh)
            .fetch_optional(&state.db)
            .await
            .expect("query");
    assert_eq!(stored, None);
}

#[tokio::test]
async fn requests_are_limited_per_email_and_alike_for_unknown_ones() {
    let (browser, state) = Browser::start().await;
    let known = super::super::testing::unique_email("often");
    let hash = hash_password(PASSWORD).expect("hashes");
    create_user(&state.db, &known, &hash, false)
        .await
        .expect("inserted");
    let unknown = unique_email("never");
    for email in [&known, &unknown] {
        for _ in 0..links::LINKS_PER_EMAIL {
            let page = ask(&mut browser.stranger(), email).await;
            assert_eq!(page.status, StatusCode::OK);
        }
        let refused = ask(&mut browser.stranger(), email).await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{email}");
        assert!(
            refused.body.contains("Too many requests"),
            "{}",
            refused.body
        );
    }
    // One address asking for many emails is stopped too.
    let mut visitor = browser.stranger();
    for _ in 0..links::LINKS_PER_ADDRESS {
        assert_eq!(
            ask(&mut visitor, &unique_email("spray")).await.status,
            StatusCode::OK
        );
    }
    let refused = ask(&mut visitor, &unique_email("spray")).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
}
