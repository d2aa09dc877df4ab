use minijinja::context;

use super::*;
use crate::config::tests::config;

fn templates() -> Templates {
    Templates::new(&config(&[])).expect("templates load")
}

fn settings(url: &str) -> MailSettings {
    MailSettings::read(Some(url.to_owned()), None).expect("valid MAIL_URL")
}

fn refused(url: &str, from: Option<&str>) -> String {
    MailSettings::read(Some(url.to_owned()), from.map(str::to_owned))
        .expect_err("refused")
        .to_string()
}

fn security(url: &str) -> Security {
    match settings(url).backend {
        Backend::Smtp(url) => url.security(),
        other => panic!("{url} is not SMTP: {other:?}"),
    }
}

fn mailer(backend: &Backend) -> Mailer {
    let from = "Shop <noreply@example.com>".parse().expect("address");
    Mailer::with_backend(backend, from, templates(), false).expect("mailer")
}

/// The test message (`templates/mail/test.txt`), composed by `mailer` for `to`.
fn test_email(mailer: &Mailer, to: &str, subject: &str) -> Email {
    let context = context! { to };
    let email = mailer.compose(to, subject, "mail/test", context);
    email.expect("composed")
}

#[test]
fn every_mail_url_names_its_backend() {
    assert_eq!(settings("console:").backend, Backend::Console);
    assert_eq!(settings("memory:").backend, Backend::Memory);
    assert_eq!(
        settings("file:target/mail").backend,
        Backend::File("target/mail".into())
    );
    let unset = MailSettings::read(None, None).expect("defaults");
    assert_eq!(unset.backend, Backend::Console);
    assert_eq!(unset.from.to_string(), "webmaster@localhost");
    assert_eq!(
        security("smtp://ada:secret@mail.example.com:587"),
        Security::StartTls
    );
    assert_eq!(
        security("smtps://ada:secret@mail.example.com"),
        Security::Tls
    );
    assert_eq!(security("smtp://127.0.0.1:1025"), Security::Plain);
    assert_eq!(
        security("smtp://mail.example.com?tls=opportunistic"),
        Security::Opportunistic
    );
}

#[test]
fn a_password_in_mail_url_is_never_shown() {
    let Backend::Smtp(url) = settings("smtp://ada:p%40ss@mail.example.com:587").backend else {
        panic!("SMTP");
    };
    assert_eq!(url.redacted(), "smtp://ada:***@mail.example.com:587");
    assert!(!format!("{url:?}").contains("p%40ss"));
    // STARTTLS is written out for lettre, the password kept as written.
    assert_eq!(
        url.for_lettre(),
        "smtp://ada:p%40ss@mail.example.com:587?tls=required"
    );
    let message = refused("smtp://ada:secret@", None);
    assert!(!message.contains("secret"), "{message}");
}

#[test]
fn bad_settings_are_refused_with_their_name() {
    assert!(refused("smtp:/mail.example.com", None).contains("names no server"));
    assert!(refused("http://mail.example.com", None).contains("not a mail backend"));
    assert!(refused("file:", None).contains("names no folder"));
    assert!(refused("smtp://mail.example.com?tls=always", None).contains("`tls`"));
    assert!(refused("console:", Some("not an address")).contains("MAIL_FROM"));
}

#[test]
fn mail_that_would_reach_nobody_is_named() {
    let warnings = |url: &str, from: &str| {
        MailSettings::read(Some(url.to_owned()), Some(from.to_owned()))
            .expect("valid")
            .warnings()
    };
    let sender = "Shop <noreply@shop.example>";
    assert_eq!(
        warnings("smtp://ada:secret@mail.example.com", sender).len(),
        0
    );
    assert_eq!(warnings("smtp://127.0.0.1:25", sender).len(), 0);
    assert!(warnings("console:", sender)[0].contains("console:"));
    assert!(warnings("memory:", sender)[0].contains("memory:"));
    assert!(warnings("smtp://mail.example.com:25", sender)[0].contains("unencrypted"));
    let local = warnings("smtps://ada:secret@mail.example.com", "webmaster@localhost");
    assert!(local[0].contains("MAIL_FROM"), "{local:?}");
}

#[test]
fn mail_is_composed_from_templates_and_its_html_part_escapes_values() {
    let mailer = mailer(&Backend::Memory);
    let email = mailer
        .compose(
            "ada@example.com",
            "Test",
            "mail/test",
            context! { to => "<b>ada" },
        )
        .expect("composed");
    assert!(email.text.contains("sent to <b>ada by"), "{}", email.text);
    let html = email.html.expect("an HTML part");
    assert!(html.contains("sent to &lt;b&gt;ada by"), "{html}");
    let missing = mailer.compose("ada@example.com", "?", "mail/no-such", context! {});
    assert!(
        missing
            .expect_err("no template")
            .to_string()
            .contains("no-such.txt")
    );
}

#[tokio::test]
async fn the_memory_backend_keeps_what_is_sent_at_once() {
    let mailer = mailer(&Backend::Memory);
    let email = test_email(&mailer, "ada@example.com", "Hello");
    mailer.send_later(email.clone());
    let outbox = mailer.outbox().expect("kept");
    assert_eq!(outbox.sent_to("ada@example.com"), [email]);
    assert_eq!(outbox.sent()[0].number, 1);
}

#[tokio::test]
async fn the_file_backend_writes_one_eml_file_per_message() {
    let nanos = std::time::UNIX_EPOCH.elapsed().expect("clock").as_nanos();
    let dir = std::env::temp_dir().join(format!("mail-{}-{nanos}", std::process::id()));
    let mailer = mailer(&Backend::File(dir.clone()));
    let email = test_email(&mailer, "ada@example.com", "Über Mail");
    let outcome = mailer.send(email).await.expect("written");
    let files: Vec<_> = std::fs::read_dir(&dir).expect("folder").collect();
    assert_eq!(files.len(), 1, "{outcome}");
    let path = files[0].as_ref().expect("entry").path();
    assert!(outcome.contains(&path.display().to_string()), "{outcome}");
    let written = std::fs::read_to_string(&path).expect("readable");
    assert!(written.contains("To: ada@example.com"), "{written}");
    assert!(
        written.contains("From: Shop <noreply@example.com>"),
        "{written}"
    );
    // A subject outside ASCII is encoded, as mail headers must be.
    assert!(written.contains("Subject: =?utf-8?"), "{written}");
    assert!(written.contains("multipart/alternative"), "{written}");
    std::fs::remove_dir_all(dir).expect("cleaned up");
}

#[tokio::test]
async fn an_unreachable_server_is_an_error_that_names_the_address() {
    // Port 9 (discard) on this machine: nothing listens there.
    let mailer = mailer(&settings("smtp://127.0.0.1:9").backend);
    let email = test_email(&mailer, "ada@example.com", "Hello");
    let error = mailer.send(email.clone()).await.expect_err("refused");
    assert!(
        error.to_string().contains("cannot send to ada@example.com"),
        "{error}"
    );
    // Sent later, the failure is logged and nothing panics.
    mailer.send_later(email);
}

#[tokio::test]
async fn a_bad_recipient_is_an_error_not_a_panic() {
    let mailer = mailer(&Backend::Console);
    let email = test_email(&mailer, "not an address", "Hello");
    let error = mailer.send(email).await.expect_err("refused");
    assert!(error.to_string().contains("not an address"), "{error}");
}

#[tokio::test]
async fn sendtestemail_sends_one_message_to_the_address() {
    let mailer = mailer(&Backend::Memory);
    let command = SendTestEmail {
        to: "grace@example.com".to_owned(),
    };
    command.run(&mailer).await.expect("sent");
    let sent = mailer.outbox().expect("kept").sent_to("grace@example.com");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].subject, "Test email");
    assert!(sent[0].text.contains("grace@example.com"));
}

#[tokio::test]
async fn tests_never_send_whatever_mail_url_says() {
    let config = config(&[("MAIL_URL", "smtp://127.0.0.1:9")]);
    let mailer = Mailer::new(&config, templates()).expect("mailer");
    let email = test_email(&mailer, "ada@example.com", "Hello");
    assert_eq!(mailer.send(email).await.expect("kept"), "kept in memory");
}
