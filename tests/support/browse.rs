//! A generated site seen through a real browser: one headless Chromium session
//! registers, logs out and in, resets its password through the mail the site sent
//! (read at `/dev/mailbox`), then runs the admin as the superuser, taking a screenshot of
//! every page it visits.
//!
//! The selectors lean on routes and field names (`form[action="/login"]`,
//! `input[name="email"]`, `a[href="/admin/users/new"]`), which every style of
//! project shares, rather than on layout or wording.

use std::path::Path;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::webdriver::{Browser, Chromedriver, Element};

/// The password of the user the scenario registers: long, not common, and
/// unrelated to its email.
const USER_PASSWORD: &str = "Quiet-lantern-42-orchard";

/// Registers a fresh user, logs out and back in, then logs in as the
/// superuser (`superuser_email`, `superuser_password`, created beforehand)
/// and adds, renames and deletes a user in the admin, all in one browser
/// session against the site at `base_url` (no trailing slash). Screenshots of
/// every page go to `screenshots`.
pub(crate) fn register_login_and_use_the_admin(
    base_url: &str,
    screenshots: &Path,
    superuser_email: &str,
    superuser_password: &str,
) {
    let driver = Chromedriver::start();
    let browser = Browser::open(&driver, screenshots);
    let stamp = unique_stamp();
    let user = format!("browser-{stamp}@example.com");

    register_and_log_in(&browser, base_url, &user);
    forget_and_reset_the_password(&browser, base_url, &user);

    // The superuser reaches the admin through the nav.
    log_in(&browser, base_url, superuser_email, superuser_password);
    browser.screenshot("superuser");
    browser.find(r#"a[href="/admin"]"#).click();
    browser.wait_for(r#"a[href="/admin/users"]"#);
    assert!(
        browser.current_url().ends_with("/admin"),
        "on {}",
        browser.current_url()
    );
    browser.screenshot("admin");

    browser.find(r#"a[href="/admin/users"]"#).click();
    browser.wait_for(r#"a[href="/admin/users/new"]"#);
    assert!(
        main_text(&browser).contains(superuser_email),
        "the users list shows the superuser, the first user"
    );
    browser.screenshot("users");

    add_rename_and_delete_a_user(&browser, &stamp, &user);

    log_out(&browser);
    browser.screenshot("done");
}

/// Registers `user` from the home page, logs out, logs back in through the
/// login page and logs out again.
fn register_and_log_in(browser: &Browser<'_>, base_url: &str, user: &str) {
    // The home page, logged out.
    browser.goto(&format!("{base_url}/"));
    browser.wait_for(r#"a[href="/register"]"#);
    assert!(!browser.title().is_empty(), "the home page has a title");
    assert_logged_out(browser);
    browser.screenshot("home");

    // Register through the nav's link.
    browser.find(r#"a[href="/register"]"#).click();
    browser.wait_for(r#"form[action="/register"]"#);
    assert!(
        browser.current_url().ends_with("/register"),
        "on {}",
        browser.current_url()
    );
    browser.screenshot("register");
    fill_credentials(browser, "/register", user, USER_PASSWORD);
    browser.screenshot("register-filled");
    browser
        .find(r#"form[action="/register"] button[type="submit"]"#)
        .click();
    assert_logged_in_as(browser, user);
    browser.screenshot("registered");

    log_out(browser);
    browser.screenshot("logged-out");

    // Log in again as the new user, through the login page.
    log_in(browser, base_url, user, USER_PASSWORD);
    assert!(
        browser.find_all(r#"a[href="/admin"]"#).is_empty(),
        "a user who is not staff sees no Admin link"
    );
    browser.screenshot("logged-in");
    log_out(browser);
}

/// The password `user` sets through "Forgot your password?".
const NEW_PASSWORD: &str = "Second-lantern-17-meadow";

/// From the login page, `user` (logged out) asks for a reset link, finds the mail in the
/// development mailbox, follows its link, sets [`NEW_PASSWORD`] and logs in with it.
fn forget_and_reset_the_password(browser: &Browser<'_>, base_url: &str, user: &str) {
    browser.goto(&format!("{base_url}/login"));
    browser.wait_for(r#"a[href="/password-reset"]"#).click();
    browser.wait_for(r#"form[action="/password-reset"]"#);
    browser.screenshot("password-reset");
    let email = browser.find(r#"form[action="/password-reset"] input[name="email"]"#);
    email.type_text(user);
    browser
        .find(r#"form[action="/password-reset"] button[type="submit"]"#)
        .click();
    let notice = browser.wait_for("p.notice").text();
    assert!(notice.contains(user), "{notice}");
    browser.screenshot("password-reset-sent");

    // The mail leaves after the response: wait until the mailbox lists it, newest first
    // (above the mail that confirmed the address at registration).
    wait_until(browser, "the reset mail in the mailbox", || {
        browser.goto(&format!("{base_url}/dev/mailbox"));
        browser.wait_for("main h1");
        let newest = browser.find("section.email").text();
        newest.contains("Reset your password") && newest.contains(user)
    });
    browser.screenshot("mailbox");
    browser.find(r#"a[href^="/dev/mailbox/"]"#).click();
    let link = browser.wait_for(r#"a[href*="/password-reset/"]"#);
    let href = link.attribute("href");
    let path = &href[href.find("/password-reset/").expect("a reset link")..];
    browser.goto(&format!("{base_url}{path}"));
    let password = browser.wait_for(r#"form input[name="password"]"#);
    browser.screenshot("password-reset-choose");
    password.type_text(NEW_PASSWORD);
    browser.find(r#"form button[type="submit"]"#).click();
    let done = browser.wait_for("p.notice").text();
    assert!(done.contains("has been changed"), "{done}");
    browser.screenshot("password-reset-done");

    log_in(browser, base_url, user, NEW_PASSWORD);
    log_out(browser);
}

/// In the users admin (the page now shown): adds a user, renames it and
/// deletes it. `stamp` is in the emails of this run's users; `user` is the
/// one registered earlier, which must stay.
fn add_rename_and_delete_a_user(browser: &Browser<'_>, stamp: &str, user: &str) {
    // Add a user. Searches keep each check on one short page, however many
    // users the database holds.
    let added = format!("added-{stamp}@example.com");
    browser.find(r#"a[href="/admin/users/new"]"#).click();
    browser.wait_for(r#"form[action="/admin/users/new"]"#);
    browser.screenshot("user-new");
    fill_credentials(browser, "/admin/users/new", &added, USER_PASSWORD);
    browser
        .find(r#"form[action="/admin/users/new"] button[type="submit"]"#)
        .click();
    wait_for_list(browser);
    search_users(browser, stamp);
    let listed = main_text(browser);
    assert!(listed.contains(&added), "the list shows {added}: {listed}");
    assert!(listed.contains(user), "the list shows {user}: {listed}");
    browser.screenshot("user-added");

    // Rename it.
    let renamed = format!("renamed-{stamp}@example.com");
    search_users(browser, &added);
    only_row_link(browser, "edit").click();
    let form = r#"form[action^="/admin/users/"][action$="/edit"]"#;
    browser.wait_for(form);
    browser.screenshot("user-edit");
    let email = browser.find(&format!(r#"{form} input[name="email"]"#));
    email.clear();
    email.type_text(&renamed);
    browser
        .find(&format!(r#"{form} button[type="submit"]"#))
        .click();
    wait_for_list(browser);
    search_users(browser, stamp);
    let listed = main_text(browser);
    assert!(
        listed.contains(&renamed),
        "the list shows {renamed}: {listed}"
    );
    assert!(!listed.contains(&added), "the list no longer shows {added}");
    browser.screenshot("user-renamed");

    // Delete it, through the confirmation page.
    search_users(browser, &renamed);
    only_row_link(browser, "delete").click();
    let confirm = r#"form[action^="/admin/users/"][action$="/delete"] button[type="submit"]"#;
    browser.wait_for(confirm);
    assert!(
        main_text(browser).contains(&renamed),
        "the confirmation names {renamed}"
    );
    browser.screenshot("user-delete");
    browser.find(confirm).click();
    wait_for_list(browser);
    search_users(browser, stamp);
    assert!(
        !browser.page_source().contains(&renamed),
        "{renamed} is gone after the delete"
    );
    assert!(main_text(browser).contains(user), "{user} stays");
    browser.screenshot("user-deleted");
}

/// Digits that no earlier run used, so each run registers new emails.
fn unique_stamp() -> String {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970");
    format!(
        "{}{:09}-{}",
        since.as_secs(),
        since.subsec_nanos(),
        std::process::id()
    )
}

/// Types `email` and `password` into the form that posts to `action`; does
/// not submit it.
fn fill_credentials(browser: &Browser<'_>, action: &str, email: &str, password: &str) {
    let form = format!(r#"form[action="{action}"]"#);
    browser
        .find(&format!(r#"{form} input[name="email"]"#))
        .type_text(email);
    browser
        .find(&format!(r#"{form} input[name="password"]"#))
        .type_text(password);
}

/// Logs in through the nav's "Log in" link and checks the nav shows `email`.
fn log_in(browser: &Browser<'_>, base_url: &str, email: &str, password: &str) {
    browser.find(r#"a[href="/login"]"#).click();
    browser.wait_for(r#"form[action="/login"]"#);
    assert!(
        browser
            .current_url()
            .starts_with(&format!("{base_url}/login")),
        "on {}",
        browser.current_url()
    );
    browser.screenshot("login");
    fill_credentials(browser, "/login", email, password);
    browser
        .find(r#"form[action="/login"] button[type="submit"]"#)
        .click();
    assert_logged_in_as(browser, email);
}

/// Logs out with the nav's "Log out" button and checks the nav offers
/// "Log in" again.
fn log_out(browser: &Browser<'_>) {
    browser.find(r#"form[action="/logout"] button"#).click();
    browser.wait_for(r#"a[href="/login"]"#);
    assert_logged_out(browser);
}

fn assert_logged_in_as(browser: &Browser<'_>, email: &str) {
    browser.wait_for(r#"form[action="/logout"]"#);
    let nav = nav_text(browser);
    assert!(nav.contains(email), "the nav shows {email}: {nav:?}");
    assert!(nav.contains("Log out"), "the nav offers Log out: {nav:?}");
}

fn assert_logged_out(browser: &Browser<'_>) {
    let nav = nav_text(browser);
    assert!(nav.contains("Log in"), "the nav offers Log in: {nav:?}");
    assert!(
        browser.find_all(r#"form[action="/logout"]"#).is_empty(),
        "no Log out button once logged out"
    );
}

/// The text of the site's navigation, the first `<nav>` on every page.
fn nav_text(browser: &Browser<'_>) -> String {
    browser.find("nav").text()
}

fn main_text(browser: &Browser<'_>) -> String {
    browser.find("main").text()
}

/// Searches the users list for `text` and waits for the results.
fn search_users(browser: &Browser<'_>, text: &str) {
    let search = r#"form[action="/admin/users"]"#;
    let before = browser.current_url();
    let field = browser.find(&format!(r#"{search} input[name="q"]"#));
    field.clear();
    field.type_text(text);
    browser
        .find(&format!(r#"{search} button[type="submit"]"#))
        .click();
    wait_until(browser, "the search results", || {
        let now = browser.current_url();
        now != before && now.contains("q=")
    });
    browser.wait_for(search);
}

/// The row action link (`edit` or `delete`) of the one user listed.
fn only_row_link<'b>(browser: &'b Browser<'_>, action: &str) -> Element<'b> {
    let css = format!(r#"main a[href^="/admin/users/"][href$="/{action}"]"#);
    let mut links = browser.find_all(&css);
    assert_eq!(
        links.len(),
        1,
        "one {action} link in {}",
        main_text(browser)
    );
    links.remove(0)
}

/// Waits until the browser is back on the users list (a save or a delete
/// redirects there), then for the list itself.
fn wait_for_list(browser: &Browser<'_>) {
    wait_until(browser, "the users list", || {
        browser.current_url().ends_with("/admin/users")
    });
    browser.wait_for(r#"a[href="/admin/users/new"]"#);
}

/// Polls `done` for up to 10 s.
fn wait_until(browser: &Browser<'_>, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(
            Instant::now() < deadline,
            "waited 10 s for {what}; on {}",
            browser.current_url()
        );
        thread::sleep(Duration::from_millis(100));
    }
}
