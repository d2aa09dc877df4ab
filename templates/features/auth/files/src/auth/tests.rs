//! Tests of accounts: passwords, logins and their limits, registration, the extractors
//! and `createsuperuser`.

use super::*;

use super::testing::{Browser, PASSWORD, unique_email};
use crate::AppState;

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
        .layer(crate::web::sessions::layer(
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
    let (mut browser, state) = Browser::start().await;
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
    assert_eq!(registered.location, "/");
    let home = browser.get("/").await;
    assert!(home.body.contains(&email), "{}", home.body);
    assert!(home.body.contains(r#"action="/logout""#), "{}", home.body);

    // S12: only an argon2id hash is stored.
    let hash = password_hash(&state, &email).await;
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(PASSWORD));

    // S5: logout is POST only, and ends the session on the server.
    let session_cookie = browser.cookies[crate::web::sessions::COOKIE_NAME].clone();
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
        .insert(crate::web::sessions::COOKIE_NAME.to_owned(), session_cookie);
    let me = replay.get_from(&protected_routes(&state), "/me").await;
    assert_eq!(me.status, StatusCode::SEE_OTHER);
    assert_eq!(me.location, "/login?next=%2Fme");

    let again = browser.login(&email.to_uppercase(), PASSWORD).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert!(browser.get("/").await.body.contains(&email));
}

#[tokio::test]
async fn login_needs_the_csrf_token() {
    // S2: without the token, or with a wrong one, 403; with it, the login works.
    let (mut browser, _state) = Browser::start().await;
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
    let (mut browser, state) = Browser::start().await;
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
    let session_cookie = &browser.cookies[crate::web::sessions::COOKIE_NAME];
    let old_cookie = before
        .get(crate::web::sessions::COOKIE_NAME)
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
    let (mut browser, _state) = Browser::start().await;
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
    let (mut browser, _state) = Browser::start().await;
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
    let (mut browser, _state) = Browser::start().await;
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
    let (mut browser, _state) = Browser::start().await;
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

/// A made-up client address of its own for each call, so tests sharing a database
/// count apart: 64 random bits in IPv6's documentation prefix, which no two calls share
/// (IPv4's 16 spare bits did: ten addresses for one email came out nine in about one run
/// in a thousand). Times are real ones too: recording an attempt forgets those older than
/// 30 days, and a made-up future would forget the other tests' attempts.
fn address() -> String {
    super::testing::unique_ip().to_string()
}

#[tokio::test]
async fn the_limits_are_counted_in_the_database_and_their_windows_end() {
    let state = AppState::from_env().await.expect("state builds");
    let db = &state.db;
    let (here, elsewhere) = (address(), address());
    let email = unique_email("window");
    let start = db::unix_now();
    for _ in 0..LOGIN_ATTEMPTS {
        assert_eq!(
            wait_before_login(db, &here, &email, start)
                .await
                .expect("query"),
            None
        );
        record_login(db, &here, &email, false, start)
            .await
            .expect("recorded");
    }
    let wait = wait_before_login(db, &here, &email, start + 60)
        .await
        .expect("query");
    assert_eq!(wait, Some(LOGIN_WINDOW - Duration::from_secs(60)));
    // A flood from one address does not lock the email for another address.
    assert_eq!(
        wait_before_login(db, &elsewhere, &email, start + 60)
            .await
            .expect("query"),
        None
    );
    let after = start + i64::try_from(LOGIN_WINDOW.as_secs()).expect("small");
    assert_eq!(
        wait_before_login(db, &here, &email, after)
            .await
            .expect("query"),
        None
    );
}

#[tokio::test]
async fn one_address_trying_many_emails_is_stopped() {
    let state = AppState::from_env().await.expect("state builds");
    let here = address();
    let now = db::unix_now();
    for _ in 0..ADDRESS_ATTEMPTS {
        let email = unique_email("stuffing");
        record_login(&state.db, &here, &email, false, now)
            .await
            .expect("recorded");
    }
    let next = unique_email("next");
    let wait = wait_before_login(&state.db, &here, &next, now)
        .await
        .expect("query");
    assert!(wait.is_some());
}

#[tokio::test]
async fn many_addresses_close_an_email_to_strangers_but_not_to_its_owner() {
    let state = AppState::from_env().await.expect("state builds");
    let email = unique_email("botnet");
    let owner = address();
    let now = db::unix_now();
    record_login(&state.db, &owner, &email, true, now - 3_600)
        .await
        .expect("recorded");
    for _ in 0..EMAIL_ADDRESSES {
        record_login(&state.db, &address(), &email, false, now)
            .await
            .expect("recorded");
    }
    let stranger = wait_before_login(&state.db, &address(), &email, now)
        .await
        .expect("query");
    assert_eq!(stranger, Some(EMAIL_WINDOW));
    let known = wait_before_login(&state.db, &owner, &email, now)
        .await
        .expect("query");
    assert_eq!(known, None);
}

#[test]
fn only_a_trusted_proxy_names_the_client() {
    let parts = |peer: &str, forwarded: Option<&str>| {
        let mut request = axum::http::Request::get("/login");
        if let Some(forwarded) = forwarded {
            request = request.header("x-forwarded-for", forwarded);
        }
        let (mut parts, ()) = request.body(()).expect("request").into_parts();
        let peer: SocketAddr = format!("{peer}:4000").parse().expect("address");
        parts.extensions.insert(ConnectInfo(peer));
        parts
    };
    let proxy: IpAddr = "10.0.0.2".parse().expect("address");
    let trusted = [proxy];
    // A client writing the header itself is ignored.
    let direct = parts("203.0.113.9", Some("192.0.2.1"));
    assert_eq!(client_address(&direct, &trusted), "203.0.113.9");
    // Through the proxy: the last address it did not add itself.
    let proxied = parts("10.0.0.2", Some("192.0.2.1, 203.0.113.9"));
    assert_eq!(client_address(&proxied, &trusted), "203.0.113.9");
    assert_eq!(client_address(&proxied, &[]), "10.0.0.2");
}

#[tokio::test]
async fn extractors_redirect_visitors_and_refuse_non_staff() {
    // S17
    let (mut browser, state) = Browser::start().await;
    let routes = protected_routes(&state);

    let anonymous = browser.get_from(&routes, "/staff-only?page=2").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(anonymous.location, "/login?next=%2Fstaff-only%3Fpage%3D2");
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
    let (mut browser, _state) = Browser::start().await;
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
                "/login",
                &format!("/login?{query}"),
                &[("email", email.as_str()), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{next}");
        assert_eq!(page.location, expected, "{next}");
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

#[test]
fn createsuperuser_asks_again_until_the_answers_are_good() {
    let mut answers = [
        "not an email",
        "Admin@Example.com",
        "short",
        "short",
        PASSWORD,
        "something else",
        PASSWORD,
        PASSWORD,
    ]
    .into_iter();
    let mut asked = Vec::new();
    let mut ask = |question: &str, hidden: bool| {
        asked.push((question.to_owned(), hidden));
        Ok(answers.next().map(str::to_owned))
    };
    let (email, password) = prompt_superuser(None, &mut ask).expect("good answers at last");
    assert_eq!(email, "admin@example.com");
    assert_eq!(password, PASSWORD);
    assert_eq!(asked.len(), 8, "{asked:?}");
    assert_eq!(asked[1], ("Email: ".to_owned(), false));
    assert_eq!(asked[7], ("Password (again): ".to_owned(), true));

    // When the input ends, it stops with an error instead of asking forever.
    let mut ended = |_: &str, _: bool| Ok(None);
    let error = prompt_superuser(None, &mut ended).expect_err("no answers");
    assert!(error.to_string().contains("input ended"), "{error}");
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

#[test]
fn a_login_holds_until_the_password_or_epoch_changes_or_its_lifetime_ends() {
    let hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA";
    let stamp = login_stamp(hash, 0);
    let lifetime = i64::try_from(LOGIN_LIFETIME.as_secs()).expect("fits");
    let now = db::unix_now();
    assert!(login_holds(Some(&stamp), Some(now - 60), &stamp, now));
    assert!(!login_holds(
        Some(&stamp),
        Some(now - lifetime),
        &stamp,
        now
    ));
    let other_password = login_stamp("$argon2id$another", 0);
    assert!(!login_holds(Some(&stamp), Some(now), &other_password, now));
    let logged_out_everywhere = login_stamp(hash, 1);
    assert!(!login_holds(
        Some(&stamp),
        Some(now),
        &logged_out_everywhere,
        now
    ));
    // A session from before stamps were kept holds no stamp: it logs in again.
    assert!(!login_holds(None, Some(now), &stamp, now));
    assert!(!login_holds(Some(&stamp), None, &stamp, now));
}

#[tokio::test]
async fn logging_out_everywhere_ends_every_login_of_the_user_only() {
    let (mut phone, state) = Browser::start().await;
    let email = phone.log_in_as_new_user(&state, false).await;
    let mut laptop = phone.stranger();
    assert_eq!(
        laptop.login(&email, PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let mut someone_else = phone.stranger();
    let other = someone_else.log_in_as_new_user(&state, false).await;

    let account = laptop.get("/account").await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(account.body.contains(&email), "{}", account.body);
    assert!(
        account
            .body
            .contains(r#"action="/account/logout-everywhere""#)
    );
    // Without the form's CSRF token, nothing happens.
    let forged = phone
        .stranger()
        .post("/account/logout-everywhere", &[])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(
        phone.get("/").await.body.contains(&email),
        "still logged in"
    );

    let done = laptop
        .submit("/account", "/account/logout-everywhere", &[])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.location, "/login");
    for browser in [&mut phone, &mut laptop] {
        assert!(!browser.get("/").await.body.contains(&email), "logged out");
        let account = browser.get("/account").await;
        assert_eq!(account.location, "/login?next=%2Faccount");
    }
    assert!(
        someone_else.get("/").await.body.contains(&other),
        "others stay"
    );
    // Logging in again works, and holds.
    assert_eq!(
        phone.login(&email, PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    assert!(phone.get("/account").await.body.contains(&email));
}

#[tokio::test]
async fn changing_the_password_keeps_this_login_and_ends_the_others() {
    let (mut laptop, state) = Browser::start().await;
    let email = laptop.log_in_as_new_user(&state, false).await;
    let mut phone = laptop.stranger();
    let phone_login = phone.login(&email, PASSWORD).await;
    assert_eq!(phone_login.status, StatusCode::SEE_OTHER);
    let change = |current: &'static str, new: &'static str| {
        [("current_password", current), ("new_password", new)]
    };

    let fresh = "a fresh passphrase";
    let wrong = change("not the password", fresh);
    let wrong = laptop.submit("/account", "/account/password", &wrong).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong.body.contains("not your current password"),
        "{}",
        wrong.body
    );
    let weak = change(PASSWORD, "password");
    let weak = laptop.submit("/account", "/account/password", &weak).await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        weak.body.contains(r#"id="new_password-error""#),
        "{}",
        weak.body
    );

    let done = change(PASSWORD, fresh);
    let done = laptop.submit("/account", "/account/password", &done).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.location, "/account?password=changed");
    let account = laptop.get(&done.location).await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(
        account.body.contains("has been changed"),
        "{}",
        account.body
    );
    assert!(account.body.contains(&email), "still logged in here");
    // Every other login ended; only the new password logs in.
    assert_eq!(phone.get("/account").await.status, StatusCode::SEE_OTHER);
    let old = phone.stranger().login(&email, PASSWORD).await;
    assert_eq!(old.status, StatusCode::OK, "refused: the form again");
    let new = phone.stranger().login(&email, fresh).await;
    assert_eq!(new.status, StatusCode::SEE_OTHER);
}
