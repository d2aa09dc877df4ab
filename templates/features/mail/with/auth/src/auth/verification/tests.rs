use std::sync::Arc;

use super::super::testing::{Browser, PASSWORD, unique_email};
use super::*;
use crate::AppState;

/// The app's state with `REQUIRE_VERIFIED_EMAIL=true`.
async fn requiring_confirmation() -> AppState {
    let mut state = AppState::from_env().await.expect("state builds");
    let mut config = (*state.config).clone();
    config.require_verified_email = true;
    state.config = Arc::new(config);
    state
}

async fn user_id(state: &AppState, email: &str) -> i64 {
    let found = find_login(&state.db, email).await.expect("query");
    found.expect("an account").0
}

#[tokio::test]
async fn registration_mails_a_link_whose_button_confirms_the_address() {
    let (mut browser, state) = Browser::start().await;
    let email = unique_email("new");
    let registered = browser.register(&email, PASSWORD).await;
    assert_eq!(
        registered.status,
        StatusCode::SEE_OTHER,
        "logged in at once"
    );
    let id = user_id(&state, &email).await;
    assert!(!is_verified(&state.db, id).await.expect("query"));

    let (mail, link) = links::mailed_link(&state, &email, Purpose::Verify).await;
    assert_eq!(mail.subject, "Confirm your email address");
    assert!(mail.text.contains("works for 3 days"), "{}", mail.text);
    // Opening the link (as a mail scanner does) confirms nothing; its button does.
    let opened = browser.stranger().get(&link).await;
    assert_eq!(opened.status, StatusCode::OK);
    assert!(opened.body.contains(&email), "{}", opened.body);
    assert!(!is_verified(&state.db, id).await.expect("query"));
    let mut visitor = browser.stranger();
    let done = visitor.submit(&link, &link, &[]).await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(done.body.contains("is confirmed"), "{}", done.body);
    assert!(is_verified(&state.db, id).await.expect("query"));
    // Used up.
    assert_eq!(visitor.get(&link).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn requiring_a_confirmed_address_refuses_login_until_the_link_is_followed() {
    let state = requiring_confirmation().await;
    let mut browser = Browser::new(&state);
    let email = unique_email("careful");
    let registered = browser.register(&email, PASSWORD).await;
    assert_eq!(registered.status, StatusCode::OK, "a page, not a login");
    assert!(
        registered.body.contains("follow it to confirm"),
        "{}",
        registered.body
    );
    assert_eq!(browser.get("/account").await.status, StatusCode::SEE_OTHER);

    let refused = browser.login(&email, PASSWORD).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.body.contains("Confirm your email address first"),
        "{}",
        refused.body
    );
    // A wrong password still reads as any failed login: the refusal tells nothing more.
    let wrong = browser.stranger().login(&email, "not the password").await;
    assert_eq!(wrong.status, StatusCode::OK);
    assert!(!wrong.body.contains("Confirm your email"), "{}", wrong.body);

    let (_, link) = links::mailed_link(&state, &email, Purpose::Verify).await;
    let done = browser.submit(&link, &link, &[]).await;
    assert_eq!(done.status, StatusCode::OK);
    assert_eq!(
        browser.login(&email, PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn asking_again_answers_alike_and_mails_only_unconfirmed_accounts() {
    let (browser, state) = Browser::start().await;
    let unconfirmed = unique_email("waiting");
    let confirmed = unique_email("done");
    let hash = hash_password(PASSWORD).expect("hashes");
    for email in [&unconfirmed, &confirmed] {
        create_user(&state.db, email, &hash, false)
            .await
            .expect("inserted");
    }
    let id = user_id(&state, &confirmed).await;
    assert!(
        confirm(&state.db, id, &confirmed, db::unix_now())
            .await
            .expect("updated")
    );
    let unknown = unique_email("nobody");
    let ask = |email: String| {
        let mut visitor = browser.stranger();
        async move {
            let fields = [("email", email.as_str())];
            let page = visitor
                .submit("/verify-email", "/verify-email", &fields)
                .await;
            let lines = page.body.lines().filter(|line| !line.contains("csrf"));
            (
                page.status,
                lines.collect::<String>().replace(&email, "EMAIL"),
            )
        }
    };
    let answers = [
        ask(unconfirmed.clone()).await,
        ask(confirmed.clone()).await,
        ask(unknown.clone()).await,
    ];
    assert_eq!(answers[0].0, StatusCode::OK);
    assert!(answers.iter().all(|answer| *answer == answers[0]));
    links::mailed_link(&state, &unconfirmed, Purpose::Verify).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let outbox = state.mail.outbox().expect("kept");
    assert!(outbox.sent_to(&confirmed).is_empty());
    assert!(outbox.sent_to(&unknown).is_empty());

    // Two more for the same email, then 429.
    for _ in 1..links::LINKS_PER_EMAIL {
        assert_eq!(ask(unconfirmed.clone()).await.0, StatusCode::OK);
    }
    assert_eq!(
        ask(unconfirmed.clone()).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn a_link_works_only_for_its_purpose() {
    let (mut browser, state) = Browser::start().await;
    let email = browser.log_in_as_new_user(&state, false).await;
    let id = user_id(&state, &email).await;
    let (_, stamp) = find_user_and_stamp(&state.db, id)
        .await
        .expect("query")
        .expect("user");
    let now = db::unix_now();
    for purpose in [Purpose::Reset, Purpose::Verify, Purpose::ChangeEmail] {
        let token = tokens::issue(
            &state.db,
            id,
            purpose,
            &email,
            &stamp,
            purpose.lifetime(),
            now,
        );
        let token = token.await.expect("issued");
        for other in [Purpose::Reset, Purpose::Verify, Purpose::ChangeEmail] {
            let path = format!("{}{token}", other.path());
            let expected = if other == purpose {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            };
            let page = browser.stranger().get(&path).await;
            assert_eq!(page.status, expected, "{purpose:?} at {path}");
            if other != purpose {
                let fields = [("password", "a long enough passphrase")];
                let used = browser.stranger().submit("/login", &path, &fields).await;
                assert_eq!(
                    used.status,
                    StatusCode::NOT_FOUND,
                    "{purpose:?} posted to {path}"
                );
            }
        }
    }
    assert!(!is_verified(&state.db, id).await.expect("query"));
}

#[test]
fn the_setting_is_true_or_false() {
    let read = |value: &str| {
        crate::config::Config::from_lookup(|key| {
            (key == "REQUIRE_VERIFIED_EMAIL").then(|| value.to_owned())
        })
    };
    assert!(!read("false").expect("valid").require_verified_email);
    assert!(read("true").expect("valid").require_verified_email);
    let error = read("yes please").expect_err("refused").to_string();
    assert!(
        error.contains("REQUIRE_VERIFIED_EMAIL=yes please"),
        "{error}"
    );
}
