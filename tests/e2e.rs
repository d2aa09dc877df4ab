//! End to end: generate real projects, then build, test, lint and format-check
//! them with cargo, start them and speak HTTP to them. Slow, so ignored by
//! default; `.ci/run` runs them with `cargo test --test e2e -- --ignored`.
//!
//! Every generated project shares one target folder (`PLINTH_E2E_TARGET_DIR`,
//! default `target/e2e`), so dependencies compile once for the whole suite.

// Helpers outside `#[test]` functions fail their test by panicking too.
#![allow(clippy::expect_used, clippy::format_push_string)]

#[path = "support/audit.rs"]
mod audit;
#[path = "support/browse.rs"]
mod browse;
#[path = "support/cargo.rs"]
mod cargo;
mod common;
#[path = "support/postgres.rs"]
mod postgres;
#[path = "support/resources.rs"]
mod resources;
#[path = "support/smtp.rs"]
mod smtp;
#[path = "support/webdriver.rs"]
mod webdriver;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cargo::{cargo, target_dir};
use common::{plinth, read_tree, run};
use postgres::postgres_database;
use smtp::SmtpServer;

const ALL_FEATURES: &str = "templates,static,db,sessions,csrf,auth,admin,docker,ci";

/// Generates a micro project with plinth and returns its folder.
fn generate(scratch: &Path, name: &str, extra: &[&str]) -> PathBuf {
    generate_style(scratch, name, "micro", extra)
}

/// Generates a project of `style` with plinth and returns its folder.
fn generate_style(scratch: &Path, name: &str, style: &str, extra: &[&str]) -> PathBuf {
    let mut args = vec!["new", name, "--style", style, "--no-git"];
    args.extend_from_slice(extra);
    let result = run(scratch, &args);
    assert_eq!(result.code, 0, "plinth {args:?}\n{}", result.stderr);
    scratch.join(name)
}

fn add(project: &Path, features: &[&str]) {
    let mut args = vec!["add"];
    args.extend_from_slice(features);
    let result = run(project, &args);
    assert_eq!(result.code, 0, "plinth {args:?}\n{}", result.stderr);
}

/// The four checks every generated project must pass.
fn build_test_lint(project: &Path, env: &[(&str, &str)]) {
    cargo(project, &["build"], env);
    let tests = cargo(project, &["test"], env);
    assert!(tests.contains("test result: ok"), "{tests}");
    cargo(
        project,
        &["clippy", "--all-targets", "--", "-D", "warnings"],
        env,
    );
    cargo(project, &["fmt", "--check"], env);
}

/// Runs the app's `migrate` command and requires it to succeed.
fn migrate(project: &Path, binary: &str, env: &[(&str, &str)]) {
    let migrated = Command::new(target_dir().join("debug").join(binary))
        .arg("migrate")
        .current_dir(project)
        .envs(env.iter().copied())
        .output()
        .expect("runs");
    assert!(
        migrated.status.success(),
        "{}",
        String::from_utf8_lossy(&migrated.stderr)
    );
}

/// Generates a project, passes it through the four checks and starts it.
fn generate_check_and_start(scratch: &Path, name: &str, extra: &[&str]) -> (PathBuf, Server) {
    let project = generate(scratch, name, extra);
    build_test_lint(&project, &[]);
    let server = Server::start(&project, name, &[]);
    (project, server)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// A generated app running as a child process.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(project: &Path, binary: &str, env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let child = Command::new(target_dir().join("debug").join(binary))
            .current_dir(project)
            .env("PORT", port.to_string())
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the app starts");
        let server = Self { child, port };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "the app did not listen on {port} within 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    /// One HTTP/1.1 GET; returns the status code and the whole response.
    fn get(&self, path: &str) -> (u16, String) {
        self.request("GET", path, "")
    }

    /// One HTTP/1.1 request with extra header lines (each ending in CRLF)
    /// and no body; returns the status code and the whole response.
    fn request(&self, method: &str, path: &str, headers: &str) -> (u16, String) {
        self.send(method, path, headers, "")
    }

    /// One HTTP/1.1 request with extra header lines and a form body.
    fn send(&self, method: &str, path: &str, headers: &str, form: &str) -> (u16, String) {
        self.send_typed(
            method,
            path,
            headers,
            "application/x-www-form-urlencoded",
            form,
        )
    }

    /// One HTTP/1.1 request with extra header lines and a JSON body.
    fn send_json(&self, method: &str, path: &str, headers: &str, json: &str) -> (u16, String) {
        self.send_typed(method, path, headers, "application/json", json)
    }

    fn send_typed(
        &self,
        method: &str,
        path: &str,
        headers: &str,
        content_type: &str,
        body: &str,
    ) -> (u16, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n{headers}\r\n{body}",
            body.len()
        )
        .expect("send");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read");
        let status = response
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or(0);
        (status, response)
    }

    /// Sends SIGTERM and requires a clean exit within 5 seconds.
    fn stop(mut self) {
        let status = signal_and_wait(&mut self.child, "-TERM", 5);
        assert!(
            status.success(),
            "the app exited with {status} after SIGTERM"
        );
    }
}

/// Sends `signal` to `child` and waits up to `seconds` for it to end; its exit status.
fn signal_and_wait(child: &mut Child, signal: &str, seconds: u64) -> std::process::ExitStatus {
    let sent = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "the process did not end within {seconds} s of {signal}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
#[ignore = "slow: builds generated projects (run by .ci/run)"]
fn micro_builds_tests_lints_and_serves() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let (_project, server) = generate_check_and_start(scratch.path(), "e2e-micro", &[]);
    let (status, page) = server.get("/");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("e2e-micro"), "{page}");
    assert!(
        page.to_ascii_lowercase().contains("x-frame-options: deny"),
        "{page}"
    );
    let (status, health) = server.get("/health");
    assert_eq!(status, 200, "{health}");
    assert!(health.ends_with("ok"), "{health}");
    assert_eq!(server.get("/nope").0, 404);
    server.stop();
}

#[test]
#[ignore = "slow: builds generated projects (run by .ci/run)"]
fn micro_with_templates() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let (project, server) =
        generate_check_and_start(scratch.path(), "e2e-templates", &["--with", "templates"]);
    let (status, page) = server.get("/");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("e2e-templates"), "{page}");
    // A template edit shows on the next request, without a rebuild.
    let base = project.join("templates/base.html");
    let edited = std::fs::read_to_string(&base)
        .expect("base.html")
        .replace("</body>", "<p>edited-live</p></body>");
    std::fs::write(&base, edited).expect("edit");
    assert!(server.get("/").1.contains("edited-live"));
    server.stop();
}

#[test]
#[ignore = "slow: builds generated projects (run by .ci/run)"]
fn micro_with_static() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let (_project, server) =
        generate_check_and_start(scratch.path(), "e2e-static", &["--with", "static"]);
    let (status, css) = server.get("/static/style.css");
    assert_eq!(status, 200, "{css}");
    assert!(css.to_ascii_lowercase().contains("cache-control"), "{css}");
    assert_eq!(server.get("/static/../Cargo.toml").0, 404);
    assert_eq!(server.get("/static/%2e%2e/Cargo.toml").0, 404);
    server.stop();
}

#[test]
#[ignore = "slow: builds generated projects (run by .ci/run)"]
fn micro_with_db_on_sqlite_migrates_and_serves() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let project = generate(scratch.path(), "e2e-db", &["--with", "db"]);
    build_test_lint(&project, &[]);
    // A debug build applies the pending migrations before it serves (a release build
    // refuses to start instead: the generated `db.rs` tests that refusal).
    let server = Server::start(&project, "e2e-db", &[]);
    let (status, health) = server.get("/health");
    assert_eq!(status, 200, "{health}");
    server.stop();
    let binary = target_dir().join("debug/e2e-db");
    let migrated = Command::new(&binary)
        .arg("migrate")
        .current_dir(&project)
        .output()
        .expect("runs");
    assert!(migrated.status.success(), "{migrated:?}");
    assert!(
        String::from_utf8_lossy(&migrated.stdout).contains("no migration to apply"),
        "the start applied them: {migrated:?}"
    );
    let help = Command::new(&binary)
        .arg("--help")
        .current_dir(&project)
        .output()
        .expect("runs");
    assert!(
        String::from_utf8_lossy(&help.stdout).contains("migrate"),
        "{help:?}"
    );
}

#[test]
#[ignore = "slow: builds generated projects (run by .ci/run)"]
fn micro_with_db_and_sessions_on_postgres_migrates_and_serves() {
    let Some(url) = postgres_database("plinth_e2e_micro") else {
        return;
    };
    let scratch = tempfile::tempdir().expect("tempdir");
    let project = generate(
        scratch.path(),
        "e2e-pg",
        &["--db", "postgres", "--with", "db"],
    );
    let env = [("DATABASE_URL", url.as_str())];
    build_test_lint(&project, &env);
    migrate(&project, "e2e-pg", &env);
    let server = Server::start(&project, "e2e-pg", &env);
    assert_eq!(server.get("/health").0, 200);
    server.stop();
}

#[test]
#[ignore = "slow: builds generated projects (run by .ci/run)"]
fn micro_with_sessions_alone_and_with_db_in_either_order() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let alone = generate(scratch.path(), "e2e-sessions", &["--with", "sessions"]);
    build_test_lint(&alone, &[]);

    let db_first = generate(
        scratch.path(),
        "e2e-sessions-db",
        &["--with", "db,sessions"],
    );
    let late = scratch.path().join("late");
    std::fs::create_dir(&late).expect("mkdir");
    let db_later = generate(&late, "e2e-sessions-db", &["--with", "sessions"]);
    add(&db_later, &["db"]);
    assert_eq!(
        read_tree(&db_first),
        read_tree(&db_later),
        "sessions must move to the database"
    );
    build_test_lint(&db_first, &[]);
    let duplicates = cargo(
        &db_first,
        &["tree", "--duplicates", "--depth", "0", "--prefix", "none"],
        &[],
    );
    assert!(
        !duplicates
            .lines()
            .any(|line| line.starts_with("sqlx ") || line.starts_with("tower-sessions ")),
        "one sqlx and one tower-sessions only:\n{duplicates}"
    );
    migrate(&db_first, "e2e-sessions-db", &[]);
    let server = Server::start(&db_first, "e2e-sessions-db", &[]);
    assert_eq!(server.get("/health").0, 200);
    server.stop();
}

#[test]
#[ignore = "slow: builds generated projects (run by .ci/run)"]
fn micro_with_csrf_templates_and_db_rejects_forged_posts() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let project = generate(scratch.path(), "e2e-csrf", &["--with", "csrf,templates,db"]);
    assert!(
        project.join("src/web/sessions.rs").is_file(),
        "csrf pulls in sessions"
    );
    build_test_lint(&project, &[]);
    migrate(&project, "e2e-csrf", &[]);
    let server = Server::start(&project, "e2e-csrf", &[]);
    let (status, page) = server.get("/");
    assert_eq!(status, 200, "{page}");
    assert!(
        !page.to_ascii_lowercase().contains("set-cookie"),
        "an anonymous page view stores nothing: {page}"
    );
    assert_eq!(server.request("POST", "/", "").0, 403, "no token");
    assert_eq!(
        server.request("POST", "/", "X-CSRF-Token: forged\r\n").0,
        403,
        "wrong token"
    );
    assert_eq!(
        server
            .request("POST", "/", "Sec-Fetch-Site: cross-site\r\n")
            .0,
        403,
        "cross-site"
    );
    assert_eq!(
        server
            .request("DELETE", "/", "Origin: https://evil.example\r\n")
            .0,
        403,
        "foreign origin"
    );
    server.stop();

    let refused = Command::new(target_dir().join("debug/e2e-csrf"))
        .current_dir(&project)
        .env("APP_ENV", "production")
        .env("SECRET_KEY", "short")
        .env("PORT", free_port().to_string())
        .output()
        .expect("runs");
    assert!(
        !refused.status.success(),
        "production refuses a weak SECRET_KEY"
    );
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("SECRET_KEY"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}

/// The cookies a browser would keep, as one `Cookie:` header line.
#[derive(Default)]
struct CookieJar(std::collections::BTreeMap<String, String>);

impl CookieJar {
    fn keep(&mut self, response: &str) {
        for line in response.lines() {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            if name.eq_ignore_ascii_case("set-cookie") {
                let pair = value.trim().split(';').next().unwrap_or_default();
                if let Some((cookie, content)) = pair.split_once('=') {
                    self.0.insert(cookie.to_owned(), content.to_owned());
                }
            }
        }
    }

    fn header(&self) -> String {
        let pairs: Vec<String> = self
            .0
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        format!("Cookie: {}\r\n", pairs.join("; "))
    }
}

/// The value of the first `csrf_token` hidden input on a page.
fn csrf_token(page: &str) -> String {
    const INPUT: &str = "name=\"csrf_token\" value=\"";
    let start = page.find(INPUT).expect("a csrf_token input") + INPUT.len();
    page[start..].split('"').next().expect("a value").to_owned()
}

/// The id in the first `/admin/users/{id}/edit` link of a page.
fn first_edit_id(page: &str) -> String {
    let end = page.find("/edit\"").expect("an edit link");
    page[..end].rsplit('/').next().expect("an id").to_owned()
}

/// `createsuperuser` refuses to run without a password, then makes one.
fn create_superuser(project: &Path, name: &str, env: &[(&str, &str)]) {
    let binary = target_dir().join("debug").join(name);
    let superuser = |password: Option<&str>| {
        let mut command = Command::new(&binary);
        command
            .args([
                "createsuperuser",
                "--email",
                "admin@example.com",
                "--no-input",
            ])
            .current_dir(project)
            .envs(env.iter().copied())
            .stdin(Stdio::null());
        if let Some(password) = password {
            command.env("SUPERUSER_PASSWORD", password);
        }
        command.output().expect("runs")
    };
    let refused = superuser(None);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("SUPERUSER_PASSWORD"));
    let created = superuser(Some(SUPERUSER_PASSWORD));
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
}

/// Creates, edits and deletes a user through the admin as the logged-in
/// staff user of `jar`; returns the page's CSRF token.
fn create_edit_and_delete_a_user(server: &Server, jar: &CookieJar) -> String {
    let (status, new_page) = server.request("GET", "/admin/users/new", &jar.header());
    assert_eq!(status, 200, "{new_page}");
    let token = csrf_token(&new_page);
    let create =
        format!("email=e2e-new%40example.com&password=Another-e2e-Passphrase&csrf_token={token}");
    let (status, created) = server.send("POST", "/admin/users/new", &jar.header(), &create);
    assert_eq!(status, 303, "{created}");
    let (status, found) = server.request("GET", "/admin/users?q=e2e-new", &jar.header());
    assert_eq!(status, 200, "{found}");
    assert!(found.contains("e2e-new@example.com"), "{found}");
    assert!(!found.contains("$argon2"), "no password hash in the admin");
    let id = first_edit_id(&found);
    let edit = format!("email=e2e-renamed%40example.com&password=&csrf_token={token}");
    let (status, edited) = server.send(
        "POST",
        &format!("/admin/users/{id}/edit"),
        &jar.header(),
        &edit,
    );
    assert_eq!(status, 303, "{edited}");
    let (status, confirm) =
        server.request("GET", &format!("/admin/users/{id}/delete"), &jar.header());
    assert_eq!(status, 200, "{confirm}");
    assert!(
        confirm.contains("e2e-renamed@example.com"),
        "the edit was saved: {confirm}"
    );
    let (status, deleted) = server.send(
        "POST",
        &format!("/admin/users/{id}/delete"),
        &jar.header(),
        &format!("csrf_token={token}"),
    );
    assert_eq!(status, 303, "{deleted}");
    let (_, after) = server.request("GET", "/admin/users?q=e2e-renamed", &jar.header());
    assert!(
        !after.contains("e2e-renamed@example.com"),
        "deleted: {after}"
    );

    token
}

/// The superuser's password in every end-to-end test.
const SUPERUSER_PASSWORD: &str = "plinth-e2e-Horse-battery";

/// Logs the superuser in over HTTP with the CSRF token; returns the cookies.
fn log_in_as_superuser(server: &Server) -> CookieJar {
    let mut jar = CookieJar::default();
    let (status, login_page) = server.get("/login");
    assert_eq!(status, 200, "{login_page}");
    jar.keep(&login_page);
    let no_token = format!("email=admin%40example.com&password={SUPERUSER_PASSWORD}");
    assert_eq!(
        server.send("POST", "/login", &jar.header(), &no_token).0,
        403,
        "no token"
    );
    let form = format!("{no_token}&csrf_token={}", csrf_token(&login_page));
    let (status, logged_in) = server.send("POST", "/login", &jar.header(), &form);
    assert_eq!(status, 303, "{logged_in}");
    jar.keep(&logged_in);
    jar
}

/// A superuser made with `createsuperuser` logs in over HTTP with the CSRF
/// token, creates, edits and deletes a user in the admin, and logs out.
fn admin_round_trip_on(server: &Server) {
    assert_eq!(
        server.get("/admin").0,
        303,
        "anonymous visitors are sent to log in"
    );
    let mut jar = log_in_as_superuser(server);
    let (status, home) = server.request("GET", "/", &jar.header());
    assert_eq!(status, 200, "{home}");
    assert!(
        home.contains("admin@example.com"),
        "the nav names the user: {home}"
    );

    let token = create_edit_and_delete_a_user(server, &jar);

    assert_eq!(
        server.request("GET", "/logout", &jar.header()).0,
        405,
        "logout is POST only"
    );
    let (status, logged_out) = server.send(
        "POST",
        "/logout",
        &jar.header(),
        &format!("csrf_token={token}"),
    );
    assert_eq!(status, 303, "{logged_out}");
    jar.keep(&logged_out);
    assert_eq!(
        server.request("GET", "/admin", &jar.header()).0,
        303,
        "logged out"
    );
}

/// Generates a micro project with the admin and a resource, checks it, makes the
/// superuser, and runs the admin round trip over HTTP.
fn admin_round_trip(scratch: &Path, name: &str, extra: &[&str], env: &[(&str, &str)]) {
    let mut args = vec!["--with", "admin"];
    args.extend_from_slice(extra);
    let project = generate(scratch, name, &args);
    add_resource(&project, &["Note", "title:string", "body:text?", "--api"]);
    build_test_lint(&project, env);
    migrate(&project, name, env);
    create_superuser(&project, name, env);
    let server = Server::start(&project, name, env);
    admin_round_trip_on(&server);
    let (status, notes) = server.get("/api/notes");
    assert_eq!(status, 200, "{notes}");
    assert!(notes.contains(r#""items":["#), "{notes}");
    nul_characters_are_refused_not_failed(&server);
    server.stop();
}

/// A NUL character, which PostgreSQL refuses in text, gets a 400 or a form's message
/// wherever text comes in (on both databases alike), never a 500.
fn nul_characters_are_refused_not_failed(server: &Server) {
    let mut visitor = CookieJar::default();
    let (_, login_page) = server.get("/login");
    visitor.keep(&login_page);
    let token = csrf_token(&login_page);
    for (path, form) in [
        ("/login", "email=a%00b%40example.com&password=x"),
        ("/register", "email=a%00b%40example.com&password=x%00y"),
    ] {
        let (status, page) = server.send(
            "POST",
            path,
            &visitor.header(),
            &format!("{form}&csrf_token={token}"),
        );
        assert_eq!(status, 422, "{path}: {page}");
        assert!(page.contains("NUL character"), "{path}: {page}");
    }
    let jar = log_in_as_superuser(server);
    for path in [
        "/notes?q=%00",
        "/admin/users?q=a%00",
        "/admin/notes?q=%00",
        "/api/notes?q=%00",
    ] {
        let (status, page) = server.request("GET", path, &jar.header());
        assert_eq!(status, 400, "{path}: {page}");
    }
    let (_, new_note) = server.request("GET", "/notes/new", &jar.header());
    let token = csrf_token(&new_note);
    let form = format!("title=a%00b&csrf_token={token}");
    for path in ["/notes/new", "/admin/notes/new"] {
        let (status, page) = server.send("POST", path, &jar.header(), &form);
        assert_eq!(status, 422, "{path}: {page}");
        assert!(page.contains("NUL character"), "{path}: {page}");
    }
    let headers = format!("{}X-CSRF-Token: {token}\r\n", jar.header());
    let (status, answer) =
        server.send_json("POST", "/api/notes", &headers, r#"{"title": "a\u0000b"}"#);
    assert_eq!(status, 422, "{answer}");
    assert!(answer.contains("NUL character"), "{answer}");
}

#[test]
#[ignore = "slow: builds generated projects (run by .ci/run)"]
fn micro_with_admin_on_sqlite_over_http() {
    let scratch = tempfile::tempdir().expect("tempdir");
    admin_round_trip(scratch.path(), "e2e-admin", &[], &[]);
}

#[test]
#[ignore = "slow: builds generated projects (run by .ci/run)"]
fn micro_with_admin_on_postgres_over_http() {
    let Some(url) = postgres_database("plinth_e2e_admin") else {
        return;
    };
    let scratch = tempfile::tempdir().expect("tempdir");
    admin_round_trip(
        scratch.path(),
        "e2e-admin-pg",
        &["--db", "postgres"],
        &[("DATABASE_URL", url.as_str())],
    );
}

#[test]
#[ignore = "slow: builds generated projects (run by .ci/run)"]
fn micro_with_docker_and_with_ci() {
    let scratch = tempfile::tempdir().expect("tempdir");
    for (name, feature) in [("e2e-docker", "docker"), ("e2e-ci", "ci")] {
        let project = generate(scratch.path(), name, &["--with", feature]);
        build_test_lint(&project, &[]);
    }
}

#[test]
#[ignore = "slow: builds generated projects (run by .ci/run)"]
fn micro_with_everything_in_two_orders() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let at_once = generate(scratch.path(), "e2e-all", &["--with", ALL_FEATURES]);
    let one_by_one_root = scratch.path().join("steps");
    std::fs::create_dir(&one_by_one_root).expect("mkdir");
    let one_by_one = generate(&one_by_one_root, "e2e-all", &[]);
    for feature in ["ci", "admin", "docker", "static"] {
        add(&one_by_one, &[feature]);
    }
    assert_eq!(
        read_tree(&at_once),
        read_tree(&one_by_one),
        "the order of `add` must not matter"
    );
    for project in [&at_once, &one_by_one] {
        build_test_lint(project, &[]);
    }
    migrate(&at_once, "e2e-all", &[]);
    let server = Server::start(&at_once, "e2e-all", &[]);
    assert_eq!(server.get("/").0, 200);
    assert_eq!(server.get("/health").0, 200);
    assert_eq!(server.get("/static/style.css").0, 200);
    server.stop();
    // Accounts brought `limits`: micro holds against slow clients as full does.
    slow_clients_cannot_hold_the_server(&at_once, "e2e-all");
}

/// Runs the app's `check` command with `args`; returns the exit code and both outputs.
fn check(project: &Path, binary: &str, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    command(project, binary, &all, env)
}

/// Runs the built app's command `args` (`cargo run -- ARGS…`); its exit code, and its
/// output and errors together.
fn command(project: &Path, binary: &str, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let output = Command::new(target_dir().join("debug").join(binary))
        .args(args)
        .current_dir(project)
        .envs(env.iter().copied())
        .output()
        .expect("runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), text)
}

/// `check --deploy` refuses the development settings, naming each problem, and passes
/// production ones.
fn check_deploy(project: &Path, binary: &str, env: &[(&str, &str)]) {
    let (code, report) = check(project, binary, &["--deploy"], env);
    assert_eq!(code, 1, "{report}");
    for problem in [
        "W-DEBUG",
        "W-COOKIE-SECURE",
        "W-HOSTS",
        "W-HSTS",
        "W-BASE-URL",
        "W-MAIL",
    ] {
        assert!(report.contains(problem), "{problem} in {report}");
    }
    let secret = "3f9a0c27d18be4b56e7f0a9c3d2b1e84".repeat(4);
    let mut production = vec![
        ("APP_ENV", "production"),
        ("SECRET_KEY", secret.as_str()),
        ("ALLOWED_HOSTS", "shop.example.com"),
        ("BASE_URL", "https://shop.example.com"),
        ("MAIL_URL", "smtps://shop:secret@mail.example.com"),
        ("MAIL_FROM", "Shop <noreply@shop.example.com>"),
    ];
    production.extend_from_slice(env);
    let (code, report) = check(project, binary, &["--deploy"], &production);
    assert_eq!(code, 0, "{report}");
    assert!(
        report.contains("System check identified no issues."),
        "{report}"
    );

    // Production refuses to serve with the placeholder of .env.example.
    production[1].1 = "replace-with-the-output-of-openssl-rand-hex-64";
    let (code, report) = check(project, binary, &["--deploy"], &production);
    assert_eq!(code, 1, "{report}");
    assert!(report.contains("W-SECRET"), "{report}");
}

/// Generates a full project with [`resources::E2E`], passes the four checks, migrates it,
/// checks its deployment settings and makes the superuser.
fn full_project(scratch: &Path, name: &str, extra: &[&str], env: &[(&str, &str)]) -> PathBuf {
    let project = generate_style(scratch, name, "full", extra);
    for resource in resources::E2E {
        add_resource(&project, resource);
    }
    build_test_lint(&project, env);
    migrate(&project, name, env);
    check_deploy(&project, name, env);
    create_superuser(&project, name, env);
    project
}

/// Runs `plinth add resource ARGS` in `project`.
fn add_resource(project: &Path, args: &[&str]) {
    let mut all = vec!["add", "resource"];
    all.extend_from_slice(args);
    let output = plinth(project, &all).output().expect("plinth runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The value of the `<option>` labelled `label` on a page.
fn option_value(page: &str, label: &str) -> String {
    let end = page
        .find(&format!("\">{label}</option>"))
        .expect("an option with the label");
    page[..end].rsplit('"').next().expect("a value").to_owned()
}

/// The path in the `Location` header of a response.
fn location(response: &str) -> String {
    response
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("location")
                .then(|| value.trim().to_owned())
        })
        .expect("a Location header")
}

/// As the logged-in superuser of `jar`: creates, lists, searches, edits and deletes a
/// post through its pages with the CSRF token, drives the comments' JSON API, creates an
/// event with every kind of field, and finds the three in the admin.
fn resources_round_trip(server: &Server, jar: &CookieJar) {
    let (status, form) = server.request("GET", "/posts/new", &jar.header());
    assert_eq!(status, 200, "{form}");
    let token = csrf_token(&form);
    let author = option_value(&form, "admin@example.com");
    let post = format!("title=E2E+first+post&body=Hello&published=on&score=7&author_id={author}");
    let (status, _) = server.send("POST", "/posts/new", &jar.header(), &post);
    assert_eq!(status, 403, "no token");
    let (status, invalid) = server.send(
        "POST",
        "/posts/new",
        &jar.header(),
        &format!("title=&body=&author_id={author}&csrf_token={token}"),
    );
    assert_eq!(status, 422, "{invalid}");
    assert!(invalid.contains("This field is required."), "{invalid}");
    let (status, created) = server.send(
        "POST",
        "/posts/new",
        &jar.header(),
        &format!("{post}&csrf_token={token}"),
    );
    assert_eq!(status, 303, "{created}");
    let url = location(&created);
    assert!(url.starts_with("/posts/"), "{url}");

    let (status, list) = server.request("GET", "/posts?q=first", &jar.header());
    assert_eq!(status, 200);
    assert!(list.contains("E2E first post"), "{list}");
    let (_, none) = server.request("GET", "/posts?q=nothing-like-it", &jar.header());
    assert!(!none.contains("E2E first post"), "{none}");
    let edit =
        format!("title=E2E+edited+post&body=Hello&score=&author_id={author}&csrf_token={token}");
    let (status, edited) = server.send("POST", &format!("{url}/edit"), &jar.header(), &edit);
    assert_eq!(status, 303, "{edited}");
    let (status, shown) = server.request("GET", &url, &jar.header());
    assert_eq!(status, 200);
    assert!(shown.contains("E2E edited post"), "{shown}");

    // Comments through the JSON API, with the token in the header.
    let post_id = url.trim_start_matches("/posts/");
    let headers = format!("{}X-CSRF-Token: {token}\r\n", jar.header());
    comments_through_the_api(server, &headers, post_id);

    // An event, with a date, a moment, an amount, a UUID and a number.
    let event = format!(
        "name=Launch&code=67e55044-10b1-426f-9247-bb680e5fe0c8&starts_on=2026-12-24&starts_at=2026-12-24T18%3A30&price=12.5&ratio=&attendees=40&notes=&parent_id=&csrf_token={token}"
    );
    let (status, created) = server.send("POST", "/events/new", &jar.header(), &event);
    assert_eq!(status, 303, "{created}");
    let (status, shown) = server.request("GET", &location(&created), &jar.header());
    assert_eq!(status, 200);
    for text in [
        "Launch",
        "2026-12-24",
        "2026-12-24T18:30",
        "12.50",
        "67e55044-10b1-426f-9247-bb680e5fe0c8",
    ] {
        assert!(shown.contains(text), "{text}: {shown}");
    }

    // The admin lists the three models, and the post among the posts.
    let (status, dashboard) = server.request("GET", "/admin", &jar.header());
    assert_eq!(status, 200);
    for model in ["posts", "comments", "events"] {
        assert!(
            dashboard.contains(&format!(r#"href="/admin/{model}""#)),
            "{model}: {dashboard}"
        );
    }
    let (status, posts) = server.request("GET", "/admin/posts?q=edited", &jar.header());
    assert_eq!(status, 200);
    assert!(posts.contains("E2E edited post"), "{posts}");

    let (status, confirm) = server.request("GET", &format!("{url}/delete"), &jar.header());
    assert_eq!(status, 200, "{confirm}");
    let (status, deleted) = server.send(
        "POST",
        &format!("{url}/delete"),
        &jar.header(),
        &format!("csrf_token={token}"),
    );
    assert_eq!(status, 303, "{deleted}");
    assert_eq!(server.request("GET", &url, &jar.header()).0, 404);
}

/// A post whose body has two lines, a comment on it and an event, as the superuser of
/// `jar`; the post's page names its author and keeps the body's line break.
fn rows_for_the_audit(server: &Server, jar: &CookieJar) {
    let (_, form) = server.request("GET", "/posts/new", &jar.header());
    let token = csrf_token(&form);
    let author = option_value(&form, "admin@example.com");
    let post = format!(
        "title=Audited+post&body=First+line.%0D%0ASecond+line.&author_id={author}&csrf_token={token}"
    );
    let (status, created) = server.send("POST", "/posts/new", &jar.header(), &post);
    assert_eq!(status, 303, "{created}");
    let url = location(&created);
    let (_, shown) = server.request("GET", &url, &jar.header());
    assert!(shown.contains("<dd>admin@example.com</dd>"), "{shown}");
    assert!(
        shown.contains("<dd>First line.\r\nSecond line.</dd>"),
        "{shown}"
    );
    let comment = format!(
        "body=A+comment&post_id={}&rating=&csrf_token={token}",
        url.trim_start_matches("/posts/")
    );
    let (status, created) = server.send("POST", "/comments/new", &jar.header(), &comment);
    assert_eq!(status, 303, "{created}");
    let event = format!(
        "name=Audit&code=5b0e7c62-4f0b-4d4e-9d8e-2f1c0a9b8c7d&starts_on=2026-12-24&starts_at=&price=3&ratio=&attendees=12&notes=&parent_id=&csrf_token={token}"
    );
    let (status, created) = server.send("POST", "/events/new", &jar.header(), &event);
    assert_eq!(status, 303, "{created}");
}

/// The comments' JSON API, as a logged-in user whose `headers` carry the session cookie and
/// the CSRF token: comments are owned, so each records its author.
fn comments_through_the_api(server: &Server, headers: &str, post_id: &str) {
    let comment = format!(r#"{{"body": "Nice post", "post_id": {post_id}, "rating": 5}}"#);
    let (status, created) = server.send_json("POST", "/api/comments", headers, &comment);
    assert_eq!(status, 201, "{created}");
    assert!(created.contains(r#""body":"Nice post""#), "{created}");
    assert!(created.contains(r#""owner_id":"#), "owned: {created}");
    let comment_url = location(&created);
    let (status, invalid) =
        server.send_json("POST", "/api/comments", headers, r#"{"rating": "many"}"#);
    assert_eq!(status, 422, "{invalid}");
    assert!(
        invalid.contains(r#""rating":["Enter a whole number."]"#),
        "{invalid}"
    );
    let changed = format!(r#"{{"body": "Nicer post", "post_id": {post_id}}}"#);
    let (status, updated) = server.send_json("PUT", &comment_url, headers, &changed);
    assert_eq!(status, 200, "{updated}");
    assert!(updated.contains(r#""rating":null"#), "{updated}");
    let (status, listed) = server.get("/api/comments?q=nicer");
    assert_eq!(status, 200);
    assert!(listed.contains("Nicer post"), "{listed}");
    let (status, _) = server.send_json("DELETE", &comment_url, headers, "");
    assert_eq!(status, 204);
    assert_eq!(server.get(&comment_url).0, 404);
}

/// Where the browser test leaves its screenshots.
fn screenshots_dir() -> PathBuf {
    std::env::var_os("PLINTH_E2E_SCREENSHOTS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e-screenshots"),
        PathBuf::from,
    )
}

#[test]
#[ignore = "slow: builds generated projects (run by .ci/run)"]
fn full_on_sqlite_over_http_and_in_a_browser() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let project = full_project(scratch.path(), "e2e-full", &[], &[]);
    let server = Server::start(&project, "e2e-full", &[]);
    for page in ["/", "/login", "/register", "/health", "/static/style.css"] {
        let (status, response) = server.get(page);
        assert_eq!(status, 200, "{page}: {response}");
    }
    let (status, missing) = server.get("/no-such-page");
    assert_eq!(status, 404);
    assert!(missing.contains("Page not found"), "{missing}");
    admin_round_trip_on(&server);
    resources_round_trip(&server, &log_in_as_superuser(&server));
    let (status, mailbox) = server.get("/dev/mailbox");
    assert_eq!(status, 200, "{mailbox}");
    assert!(mailbox.contains("No mail yet."), "{mailbox}");
    // A database of their own: the server above keeps running, and its worker (which
    // sends mail to the log) would take the mail jobs of a shared one.
    let mail_database = [("DATABASE_URL", "sqlite:mail.db")];
    mail_reaches_a_real_smtp_server(&project, "e2e-full", &mail_database);

    let screenshots = screenshots_dir();
    let _ = std::fs::remove_dir_all(&screenshots);
    std::fs::create_dir_all(&screenshots).expect("screenshots folder");
    let base_url = format!("http://127.0.0.1:{}", server.port);
    browse::register_login_and_use_the_admin(
        &base_url,
        &screenshots,
        "admin@example.com",
        SUPERUSER_PASSWORD,
    );
    // A row of each resource, so the audit sees lists with rows and the rows' pages.
    rows_for_the_audit(&server, &log_in_as_superuser(&server));
    audit::audit_site(
        &base_url,
        &screenshots.join("audit"),
        "admin@example.com",
        SUPERUSER_PASSWORD,
    );
    server.stop();
    slow_clients_cannot_hold_the_server(&project, "e2e-full");
}

/// `sendtestemail` through a real SMTP server: the server's answer is printed and the
/// message arrives whole; a server that does not answer is an error naming the address.
/// Then a password reset whose mail goes through the same server. `database`: the
/// settings that name the project's database.
fn mail_reaches_a_real_smtp_server(project: &Path, binary: &str, database: &[(&str, &str)]) {
    let smtp = SmtpServer::start();
    let send_test_email = |url: &str| {
        Command::new(target_dir().join("debug").join(binary))
            .args(["sendtestemail", "grace@example.com"])
            .current_dir(project)
            .env("MAIL_URL", url)
            .env("MAIL_FROM", "Shop <noreply@shop.example.com>")
            .envs(database.iter().copied())
            .output()
            .expect("runs")
    };
    let sent = send_test_email(&smtp.url());
    let stdout = String::from_utf8_lossy(&sent.stdout);
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    assert!(stdout.contains("the server answered 250"), "{stdout}");
    let received = smtp.wait_for("grace@example.com", 1);
    assert_eq!(received.len(), 1, "{received:?}");
    let message = received[0].replace("\r\n", "\n");
    for part in [
        "From: Shop <noreply@shop.example.com>\n",
        "Subject: Test email\n",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Type: text/html; charset=utf-8",
    ] {
        assert!(message.contains(part), "{part} in {message}");
    }

    password_reset_by_mail(project, binary, &smtp, database);
    mail_is_retried_until_the_server_takes_it(project, binary, database);

    let nobody = format!("smtp://127.0.0.1:{}", free_port());
    let refused = send_test_email(&nobody);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{stderr}");
    assert!(
        stderr.contains("cannot send to grace@example.com"),
        "{stderr}"
    );
}

/// Gets the form at `path`, then posts `fields` to it with the page's CSRF token, keeping
/// the cookies in `jar`; returns the answer to the post.
fn submit(server: &Server, jar: &mut CookieJar, path: &str, fields: &str) -> (u16, String) {
    let (status, page) = server.request("GET", path, &jar.header());
    assert_eq!(status, 200, "{path}: {page}");
    jar.keep(&page);
    let form = format!("{fields}&csrf_token={}", csrf_token(&page));
    let (status, answer) = server.send("POST", path, &jar.header(), &form);
    jar.keep(&answer);
    (status, answer)
}

/// The path of the link in `message` (a mail as the SMTP server received it) that starts
/// with `prefix` and ends in a 64-digit token.
fn mailed_link(message: &str, prefix: &str) -> String {
    // The text part is quoted-printable: long lines are cut with `=` at their end.
    let text = message
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    let start = text.find(prefix).expect("a link built from BASE_URL") + prefix.len();
    let token: String = text[start..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    assert_eq!(token.len(), 64, "{text}");
    let base = "https://shop.example.com";
    format!("{}{token}", &prefix[base.len()..])
}

/// A user registers over HTTP and confirms their address with the link the SMTP server
/// received; then they forget their password, and reset it with the next link: it is built
/// from `BASE_URL` and works once, the new password logs in, and the old password and the
/// session made before no longer do.
fn password_reset_by_mail(
    project: &Path,
    binary: &str,
    smtp: &SmtpServer,
    database: &[(&str, &str)],
) {
    let url = smtp.url();
    let mut env = vec![
        ("MAIL_URL", url.as_str()),
        ("MAIL_FROM", "Shop <noreply@shop.example.com>"),
        ("BASE_URL", "https://shop.example.com"),
    ];
    env.extend_from_slice(database);
    let server = Server::start(project, binary, &env);
    let email = "forgetful@example.com";
    let first = "email=forgetful%40example.com&password=first-Pass-phrase";
    let second = "email=forgetful%40example.com&password=second-Pass-phrase";
    let mut before = CookieJar::default();
    let (status, registered) = submit(&server, &mut before, "/register", first);
    assert_eq!(status, 303, "{registered}");
    assert_eq!(server.request("GET", "/account", &before.header()).0, 200);

    let received = smtp.wait_for(email, 1);
    assert!(
        received[0].contains("Subject: Confirm your email address"),
        "{received:?}"
    );
    let confirm = mailed_link(&received[0], "https://shop.example.com/verify-email/");
    let mut visitor = CookieJar::default();
    let (status, confirmed) = submit(&server, &mut visitor, &confirm, "");
    assert_eq!(status, 200, "{confirmed}");
    assert!(confirmed.contains("is confirmed"), "{confirmed}");

    let mut jar = CookieJar::default();
    let fields = "email=forgetful%40example.com";
    let (status, asked) = submit(&server, &mut jar, "/password-reset", fields);
    assert_eq!(status, 200, "{asked}");
    assert!(asked.contains("on its way"), "{asked}");

    let received = smtp.wait_for(email, 2);
    assert_eq!(received.len(), 2, "{received:?}");
    let reset = received
        .iter()
        .find(|message| message.contains("Subject: Reset your password"))
        .expect("the reset mail");
    let link = mailed_link(reset, "https://shop.example.com/password-reset/");

    let (status, done) = submit(&server, &mut jar, &link, "password=second-Pass-phrase");
    assert_eq!(status, 200, "{done}");
    assert!(done.contains("has been changed"), "{done}");
    assert_eq!(server.get(&link).0, 404, "a link works once");
    let (status, logged_in) = submit(&server, &mut jar, "/login", second);
    assert_eq!(status, 303, "{logged_in}");
    let (status, _) = server.request("GET", "/account", &before.header());
    assert_eq!(
        status, 303,
        "the session made before the reset is logged out"
    );
    let (status, refused) = submit(&server, &mut CookieJar::default(), "/login", first);
    assert_eq!(status, 200, "the old password is refused: {refused}");
    server.stop();
}

/// A message the SMTP server did not take (nothing listened yet) stays queued as a job
/// with the error, and is sent by a later attempt once the server is up.
fn mail_is_retried_until_the_server_takes_it(
    project: &Path,
    binary: &str,
    database: &[(&str, &str)],
) {
    let port = free_port();
    let url = format!("smtp://127.0.0.1:{port}");
    let mut env = vec![
        ("MAIL_URL", url.as_str()),
        ("BASE_URL", "https://shop.example.com"),
    ];
    env.extend_from_slice(database);
    let server = Server::start(project, binary, &env);
    // A message as `send_later` queues it (the links' own limits per client address are
    // spent by the tests before this one, so no page is asked to mail).
    let message = r#"{"to": "patient@example.com", "subject": "Still there?", "text": "Hello", "html": null}"#;
    let (code, queued) = command(
        project,
        binary,
        &["jobs", "enqueue", "mail.deliver", message],
        &env,
    );
    assert_eq!(code, 0, "{queued}");

    // The first attempt fails: the job waits for the next one, with the error.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (code, listed) = command(
            project,
            binary,
            &["jobs", "list", "--status", "queued"],
            &env,
        );
        assert_eq!(code, 0, "{listed}");
        if listed.contains("mail.deliver") && listed.contains("cannot send to patient@example.com")
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no failed attempt within 15 s: {listed}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let smtp = SmtpServer::start_on(port);
    let received = smtp.wait_for_within("patient@example.com", 1, Duration::from_secs(40));
    assert_eq!(received.len(), 1, "sent by a later attempt");
    assert!(
        received[0].contains("Subject: Still there?"),
        "{received:?}"
    );
    server.stop();
}

/// A thousand clients that send half a request head do not keep a normal client waiting,
/// and lose their connection after `HEADER_TIMEOUT`; past `MAX_CONNECTIONS`, a client
/// waits for a slot, which the timeout frees; a body sent too slowly gets 408 after
/// `REQUEST_TIMEOUT`.
fn slow_clients_cannot_hold_the_server(project: &Path, binary: &str) {
    let half_sent = |port: u16| {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            .expect("send half a head");
        stream
    };
    let env = [("HEADER_TIMEOUT", "2"), ("REQUEST_TIMEOUT", "2")];
    let server = Server::start(project, binary, &env);
    let slow: Vec<TcpStream> = (0..1000).map(|_| half_sent(server.port)).collect();
    let started = Instant::now();
    assert_eq!(server.get("/health").0, 200);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    std::thread::sleep(Duration::from_secs(3));
    for mut stream in slow {
        stream
            .set_read_timeout(Some(Duration::from_secs(2)))
            .expect("timeout");
        let mut answer = Vec::new();
        // The server closed it: end of stream, maybe after a 408.
        stream
            .read_to_end(&mut answer)
            .expect("closed by the server");
    }

    let mut body = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    body.write_all(
        b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=",
    )
    .expect("send a head and part of a body");
    body.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut answer = String::new();
    let _ = body.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    server.stop();

    let capped = [("HEADER_TIMEOUT", "2"), ("MAX_CONNECTIONS", "20")];
    let server = Server::start(project, binary, &capped);
    let slow: Vec<TcpStream> = (0..20).map(|_| half_sent(server.port)).collect();
    let started = Instant::now();
    assert_eq!(server.get("/health").0, 200);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(1) && waited < Duration::from_secs(5),
        "served after {waited:?}: it waits for a slot, which the header timeout frees"
    );
    drop(slow);
    server.stop();
}

#[test]
#[ignore = "slow: builds generated projects (run by .ci/run)"]
fn full_on_postgres_serves_from_two_processes_sharing_sessions() {
    let Some(url) = postgres_database("plinth_e2e_full") else {
        return;
    };
    let env = [("DATABASE_URL", url.as_str())];
    let scratch = tempfile::tempdir().expect("tempdir");
    let project = full_project(scratch.path(), "e2e-full-pg", &["--db", "postgres"], &env);
    let first = Server::start(&project, "e2e-full-pg", &env);
    let second = Server::start(&project, "e2e-full-pg", &env);
    admin_round_trip_on(&first);
    resources_round_trip(&first, &log_in_as_superuser(&first));

    // A login made through one process is honoured by the other: the session lives in
    // the database, not in either process.
    let jar = log_in_as_superuser(&first);
    let (status, admin) = second.request("GET", "/admin", &jar.header());
    assert_eq!(status, 200, "{admin}");
    assert!(admin.contains("admin@example.com"), "{admin}");
    let (status, _) = second.request("GET", "/admin/users", &jar.header());
    assert_eq!(status, 200);
    first.stop();
    second.stop();
    mail_reaches_a_real_smtp_server(&project, "e2e-full-pg", &env);
}

/// Replaces `from` by `to` in the file at `path` inside `root`, which must hold it.
fn replace_in(root: &Path, path: &str, from: &str, to: &str) {
    let file = root.join(path);
    let text = std::fs::read_to_string(&file).expect("readable");
    assert!(text.contains(from), "{path} lacks {from:?}");
    std::fs::write(&file, text.replacen(from, to, 1)).expect("write");
}

/// plinth's templates as a later version would change them, in a folder of `scratch`:
/// a new route and its handler in the files users edit, a new sentence on the home page,
/// a higher requirement.
fn next_templates(scratch: &Path) -> PathBuf {
    let root = scratch.join("next-templates");
    common::copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"),
        &root,
    );
    replace_in(
        &root,
        "full/files/src/routes.rs",
        "        .route(\"/health\", get(views::home::health))\n",
        "        .route(\"/health\", get(views::home::health))\n        .route(\"/version\", get(views::home::version))\n",
    );
    let home = root.join("full/files/src/views/home.rs.hbs");
    let text = std::fs::read_to_string(&home).expect("home.rs.hbs")
        + "\n/// `GET /version`: the version this server runs.\npub async fn version() -> &'static str {\n    env!(\"CARGO_PKG_VERSION\")\n}\n";
    std::fs::write(&home, text).expect("write");
    replace_in(
        &root,
        "features/templates/files/templates/index.html.hbs",
        "<p>Edit a template and reload the page:",
        "<p>Upgraded by the next plinth. Edit a template and reload the page:",
    );
    replace_in(
        &root,
        "full/files/Cargo.toml.hbs",
        "tracing-subscriber = \"0.3\"",
        "tracing-subscriber = \"0.3.20\"",
    );
    root
}

/// Runs `plinth upgrade --verify --yes` on the project `name` in `scratch` with the
/// templates at `templates`, building in the suite's target folder; returns its exit code
/// and what it said.
fn upgrade_verified(scratch: &Path, name: &str, templates: &Path) -> (Option<i32>, String) {
    let output = plinth(scratch, &["upgrade", "--path", name, "--verify", "--yes"])
        .env("PLINTH_TEMPLATES", templates)
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .expect("plinth runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
#[ignore = "slow: builds generated projects (run by .ci/run)"]
fn a_full_project_with_the_users_edits_upgrades_builds_and_serves() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let name = "e2e-upgrade";
    let project = generate_style(scratch.path(), name, "full", &[]);
    for resource in resources::E2E {
        add_resource(&project, resource);
    }
    // The user's own edits in files the next plinth changes too: a route, its handler,
    // the home page's handler and template.
    replace_in(
        &project,
        "src/routes.rs",
        "        .route(\"/\", get(views::home::index))\n",
        "        .route(\"/\", get(views::home::index))\n        .route(\"/about\", get(views::home::about))\n",
    );
    replace_in(
        &project,
        "src/views/home.rs",
        "version => env!(\"CARGO_PKG_VERSION\") };\n    Ok(page.render(\"index.html\", context)?)\n}\n",
        "version => env!(\"CARGO_PKG_VERSION\"), shop => \"My shop\" };\n    Ok(page.render(\"index.html\", context)?)\n}\n\n/// `GET /about`: who we are.\npub async fn about() -> &'static str {\n    \"About my shop\"\n}\n",
    );
    replace_in(
        &project,
        "templates/index.html",
        &format!("<h1>{name}</h1>"),
        "<h1>{{ shop }}</h1>",
    );

    let templates = next_templates(scratch.path());
    let (code, stderr) = upgrade_verified(scratch.path(), name, &templates);
    assert_eq!(code, Some(0), "{stderr}");
    for line in [
        "Merged src/routes.rs",
        "Merged src/views/home.rs",
        "Merged templates/index.html",
        "Verified the upgraded project checks",
        "Updated Cargo.toml: dependencies.tracing-subscriber: \"0.3\" → \"0.3.20\"",
    ] {
        assert!(stderr.contains(line), "{line}:\n{stderr}");
    }

    build_test_lint(&project, &[]);
    migrate(&project, name, &[]);
    let server = Server::start(&project, name, &[]);
    let (status, home) = server.get("/");
    assert_eq!(status, 200, "{home}");
    assert!(home.contains("<h1>My shop</h1>"), "the user's page: {home}");
    assert!(
        home.contains("Upgraded by the next plinth."),
        "plinth's sentence: {home}"
    );
    let (status, about) = server.get("/about");
    assert_eq!(status, 200, "{about}");
    assert!(about.ends_with("About my shop"), "{about}");
    let (status, version) = server.get("/version");
    assert_eq!(status, 200, "{version}");
    assert!(version.ends_with("0.1.0"), "{version}");
    let (status, posts) = server.get("/posts");
    assert_eq!(status, 200, "{posts}");
    server.stop();
}

#[test]
#[ignore = "slow: builds generated projects (run by .ci/run)"]
fn an_upgrade_that_does_not_build_is_refused_by_verify_and_writes_nothing() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let name = "e2e-verify";
    let project = generate(scratch.path(), name, &[]);
    let before = read_tree(&project);
    let templates = scratch.path().join("broken-templates");
    common::copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"),
        &templates,
    );
    replace_in(
        &templates,
        "micro/files/src/main.rs.hbs",
        "async fn index()",
        "async fn index(missing: NoSuchType)",
    );
    let (code, stderr) = upgrade_verified(scratch.path(), name, &templates);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("error: the upgraded project does not build; nothing was changed"),
        "{stderr}"
    );
    assert!(
        stderr.contains("NoSuchType"),
        "cargo's error is shown: {stderr}"
    );
    assert_eq!(read_tree(&project), before);
}

/// A micro project with jobs named `name`, with the job and routes of
/// `tests/support/jobs_app/` added as a site's own code would add them, built.
fn jobs_project(scratch: &Path, name: &str, extra: &[&str], env: &[(&str, &str)]) -> PathBuf {
    let mut args = vec!["--with", "jobs"];
    args.extend_from_slice(extra);
    let project = generate(scratch, name, &args);
    let support = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/jobs_app");
    std::fs::copy(support.join("jobs_app.rs"), project.join("src/jobs_app.rs")).expect("copied");
    std::fs::copy(
        support.join("2000_create_e2e_tables.sql"),
        project.join("migrations/2000_create_e2e_tables.sql"),
    )
    .expect("copied");
    replace_in(
        &project,
        "src/main.rs",
        "// plinth:modules",
        "mod jobs_app;\n// plinth:modules",
    );
    replace_in(
        &project,
        "src/main.rs",
        "// plinth:routes",
        ".route(\"/e2e/enqueue/{from}/{count}/{sleep_ms}\", axum::routing::post(crate::jobs_app::enqueue))\n\
         .route(\"/e2e/runs\", axum::routing::get(crate::jobs_app::runs))\n\
         .route(\"/e2e/marks/{n}\", axum::routing::get(crate::jobs_app::mark))\n\
         // plinth:routes",
    );
    replace_in(
        &project,
        "src/jobs/mod.rs",
        "// plinth:jobs",
        "Registered::of::<crate::jobs_app::Mark>(),\n    // plinth:jobs",
    );
    cargo(&project, &["build"], env);
    migrate(&project, name, env);
    project
}

/// Asks `path` of `server` until `done` holds for its body, for up to `seconds`.
fn wait_for(server: &Server, path: &str, seconds: u64, done: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        let (status, response) = server.get(path);
        let body = response.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
        if status == 200 && done(&body) {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "{path} after {seconds} s: {response}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// `cargo run -- worker` of a built project, as a child process.
struct WorkerProcess(Child);

impl WorkerProcess {
    fn start(project: &Path, binary: &str, env: &[(&str, &str)]) -> Self {
        let child = Command::new(target_dir().join("debug").join(binary))
            .args(["worker", "--concurrency", "4"])
            .current_dir(project)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the worker starts");
        Self(child)
    }

    fn pid(&self) -> String {
        self.0.id().to_string()
    }

    /// Sends `signal` and waits up to `seconds` for the process to end; its exit status.
    fn signal_and_wait(&mut self, signal: &str, seconds: u64) -> std::process::ExitStatus {
        signal_and_wait(&mut self.0, signal, seconds)
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits for one of `workers` to start the mark `n`, and takes it out of the list.
fn started_by(server: &Server, n: u32, workers: &mut Vec<WorkerProcess>) -> WorkerProcess {
    let path = format!("/e2e/marks/{n}");
    let mark = wait_for(server, &path, 30, |body| !body.starts_with("[]"));
    let pid = mark.trim_start_matches('[').split(']').next().unwrap_or("");
    let position = workers
        .iter()
        .position(|worker| worker.pid() == pid)
        .expect("one of the workers started it");
    workers.remove(position)
}

#[test]
#[ignore = "slow: builds generated projects (run by .ci/run)"]
fn jobs_queued_over_http_run_in_the_servers_own_worker_on_sqlite() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let project = jobs_project(scratch.path(), "e2e-jobs-sqlite", &[], &[]);
    // In development the server runs a worker itself: `cargo run` is the one command.
    let server = Server::start(&project, "e2e-jobs-sqlite", &[]);
    let (status, queued) = server.send("POST", "/e2e/enqueue/1/50/0", "", "");
    assert_eq!(status, 200, "{queued}");
    let runs = wait_for(&server, "/e2e/runs", 60, |body| body.starts_with("50 "));
    assert_eq!(runs, "50 50 1", "each job once, in the server's process");
    let health = wait_for(&server, "/health/jobs", 10, |body| {
        body.contains("\"due\":0")
    });
    assert!(health.contains("\"workers\":1"), "{health}");
    server.stop();
}

#[test]
#[ignore = "slow: builds generated projects (run by .ci/run)"]
fn jobs_run_once_each_across_three_worker_processes_on_postgres() {
    let Some(url) = postgres_database("plinth_e2e_jobs") else {
        return;
    };
    let scratch = tempfile::tempdir().expect("tempdir");
    let name = "e2e-jobs-pg";
    let build_env = [("DATABASE_URL", url.as_str())];
    let project = jobs_project(scratch.path(), name, &["--db", "postgres"], &build_env);
    // Production: the server runs no worker; three worker processes share the queue, and
    // a worker that dies loses its job after three seconds.
    let env = [
        ("DATABASE_URL", url.as_str()),
        ("APP_ENV", "production"),
        ("ALLOWED_HOSTS", "127.0.0.1"),
        ("JOBS_LEASE_SECONDS", "3"),
    ];
    let server = Server::start(&project, name, &env);
    let mut workers: Vec<WorkerProcess> = (0..3)
        .map(|_| WorkerProcess::start(&project, name, &env))
        .collect();

    // 10,000 jobs queued over HTTP, each run once to completion, by all three.
    let started = Instant::now();
    for batch in 0..10 {
        let path = format!("/e2e/enqueue/{}/1000/0", batch * 1000);
        let (status, queued) = server.send("POST", &path, "", "");
        assert_eq!(status, 200, "{queued}");
    }
    let runs = wait_for(&server, "/e2e/runs", 300, |body| body.starts_with("10000 "));
    eprintln!(
        "10000 jobs in {:.1} s: {runs}",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(runs, "10000 10000 3", "each job once, by the three workers");
    let health = wait_for(&server, "/health/jobs", 10, |body| {
        body.contains("\"due\":0")
    });
    assert!(health.contains("\"workers\":3"), "{health}");
    assert!(
        health.contains("\"warnings\":[]"),
        "PostgreSQL serves many: {health}"
    );

    // A worker killed mid-job: another one runs the job to its end after the lease.
    let (status, _) = server.send("POST", "/e2e/enqueue/20000/1/2000", "", "");
    assert_eq!(status, 200);
    let mut victim = started_by(&server, 20000, &mut workers);
    let killed = victim.pid();
    let status = victim.signal_and_wait("-KILL", 5);
    assert!(!status.success());
    let mark = wait_for(&server, "/e2e/marks/20000", 60, |body| {
        !body.ends_with("[]")
    });
    let finished = mark.rsplit('[').next().unwrap_or("").trim_end_matches(']');
    assert!(!finished.is_empty() && finished != killed, "{mark}");

    // SIGTERM: the worker finishes the job it runs within the grace period, then ends.
    let (status, _) = server.send("POST", "/e2e/enqueue/30000/1/3000", "", "");
    assert_eq!(status, 200);
    let mut stopped = started_by(&server, 30000, &mut workers);
    let stopping = stopped.pid();
    let status = stopped.signal_and_wait("-TERM", 20);
    assert!(status.success(), "{status}");
    let mark = wait_for(&server, "/e2e/marks/30000", 5, |body| !body.ends_with("[]"));
    assert_eq!(
        mark,
        format!("[{stopping}] [{stopping}]"),
        "finished where it started"
    );
    server.stop();
}
