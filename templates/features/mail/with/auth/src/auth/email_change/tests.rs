use super::super::testing::{Browser, PASSWORD, unique_email};
use super::*;
use crate::AppState;

async fn change_to(
    browser: &mut Browser,
    email: &str,
    password: &str,
) -> super::super::testing::Page {
    let fields = [("email", email), ("password", password)];
    browser
        .submit("/account/email", "/account/email", &fields)
        .await
}

async fn email_of(state: &AppState, id: i64) -> String {
    let user = find_user(&state.db, id).await.expect("query");
    user.expect("a user").email
}

#[tokio::test]
async fn the_address_changes_once_the_new_one_follows_its_link_and_the_old_one_is_told() {
    let (mut browser, state) = Browser::start().await;
    let old = browser.log_in_as_new_user(&state, false).await;
    let (id, _, _) = find_login(&state.db, &old)
        .await
        .expect("query")
        .expect("user");
    let page = browser.get("/account/email").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("not confirmed yet"), "{}", page.body);
    // A reset link mailed to the old address before the change.
    let stamp = find_user_and_stamp(&state.db, id)
        .await
        .expect("query")
        .expect("user")
        .1;
    let reset = Purpose::Reset;
    let now = db::unix_now();
    let before = tokens::issue(&state.db, id, reset, &old, &stamp, reset.lifetime(), now);
    let before = format!("{}{}", reset.path(), before.await.expect("issued"));

    let new = unique_email("moved");
    let wrong = change_to(&mut browser, &new, "not my password").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.body.contains("This is not your password"),
        "{}",
        wrong.body
    );
    let same = change_to(&mut browser, &old, PASSWORD).await;
    assert_eq!(same.status, StatusCode::UNPROCESSABLE_ENTITY);
    let sent = change_to(&mut browser, &new, PASSWORD).await;
    assert_eq!(sent.status, StatusCode::OK);
    assert!(sent.body.contains("on its way"), "{}", sent.body);
    assert_eq!(
        email_of(&state, id).await,
        old,
        "unchanged until the link is followed"
    );

    let (mail, link) = links::mailed_link(&state, &new, Purpose::ChangeEmail).await;
    assert_eq!(mail.subject, "Confirm your new email address");
    let mut visitor = browser.stranger();
    let opened = visitor.get(&link).await;
    assert_eq!(opened.status, StatusCode::OK);
    assert!(opened.body.contains(&new), "{}", opened.body);
    assert_eq!(
        email_of(&state, id).await,
        old,
        "opening the link changes nothing"
    );
    let done = visitor.submit(&link, &link, &[]).await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(done.body.contains("is now"), "{}", done.body);
    assert_eq!(email_of(&state, id).await, new);
    assert!(
        verification::is_verified(&state.db, id)
            .await
            .expect("query")
    );

    // The old address is told; links sent before stop working; the new address logs in.
    let outbox = state.mail.outbox().expect("kept");
    let notice = outbox
        .sent_to(&old)
        .pop()
        .expect("a notice to the old address");
    assert_eq!(notice.subject, "Your email address was changed");
    assert!(notice.text.contains(&new), "{}", notice.text);
    assert_eq!(visitor.get(&before).await.status, StatusCode::NOT_FOUND);
    assert_eq!(visitor.get(&link).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        browser.get("/account").await.status,
        StatusCode::OK,
        "still logged in"
    );
    let again = browser.stranger().login(&new, PASSWORD).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_address_taken_meanwhile_is_not_changed_to() {
    let (mut browser, state) = Browser::start().await;
    let old = browser.log_in_as_new_user(&state, false).await;
    let (id, _, _) = find_login(&state.db, &old)
        .await
        .expect("query")
        .expect("user");
    let new = unique_email("contested");
    let taken_now = change_to(&mut browser, &new, PASSWORD).await;
    assert_eq!(taken_now.status, StatusCode::OK);
    let (_, link) = links::mailed_link(&state, &new, Purpose::ChangeEmail).await;
    create_user(&state.db, &new, "not a hash", false)
        .await
        .expect("inserted")
        .expect("free until now");
    let refused = browser.submit(&link, &link, &[]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(
        refused.body.contains("Another account has"),
        "{}",
        refused.body
    );
    assert_eq!(email_of(&state, id).await, old);
    // And it cannot be asked for again while taken.
    let taken = change_to(&mut browser, &new, PASSWORD).await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(taken.body.contains("already exists"), "{}", taken.body);
}

#[tokio::test]
async fn visitors_are_sent_to_log_in() {
    let (mut browser, _state) = Browser::start().await;
    let page = browser.get("/account/email").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.location.starts_with("/login"), "{}", page.location);
}
