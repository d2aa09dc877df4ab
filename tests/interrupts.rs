//! `plinth new` interrupted at any moment: SIGINT or SIGTERM leaves nothing or a complete
//! project with a valid repository; a folder a SIGKILL left is removed by the next run.

#![cfg(unix)]
// Helpers outside `#[test]` functions fail their test by panicking too.
#![allow(clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use common::{entries, plinth, run};

/// Starts `plinth new app --style full` in `parent`, sends `signal` after `delay`, and
/// waits for it to end; returns its exit code (`None`: the signal ended it).
fn interrupt(parent: &Path, signal: &str, delay: Duration) -> Option<i32> {
    let mut child = plinth(parent, &["new", "app", "--style", "full"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("plinth starts");
    std::thread::sleep(delay);
    let _ = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status();
    child.wait().expect("plinth ends").code()
}

/// Either nothing (`false`), or the whole project with its one commit (`true`).
fn nothing_or_complete(parent: &Path) -> bool {
    match entries(parent).as_slice() {
        [] => false,
        [only] if only == "app" => {
            let project = parent.join("app");
            let repository = git2::Repository::open(&project).expect("a valid repository");
            let commit = repository
                .head()
                .and_then(|head| head.peel_to_commit())
                .expect("one commit");
            let tree = commit.tree().expect("its tree");
            for path in ["Cargo.toml", "src/lib.rs", "README.md"] {
                assert!(tree.get_path(Path::new(path)).is_ok(), "{path} committed");
                assert!(project.join(path).is_file(), "{path} written");
            }
            true
        }
        left => panic!("an interrupt left {left:?}"),
    }
}

/// How long one `plinth new app --style full` takes here, uninterrupted.
fn one_whole_run() -> Duration {
    let scratch = tempfile::tempdir().expect("tempdir");
    let started = Instant::now();
    let status = plinth(scratch.path(), &["new", "app", "--style", "full"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("plinth runs");
    assert!(status.success(), "plinth new succeeds");
    started.elapsed()
}

#[test]
fn an_interrupt_at_any_moment_leaves_nothing_or_a_complete_project() {
    // From before plinth starts writing to well after it has finished, in fifty steps of
    // a thirtieth of a run's measured length (the machine's speed and load set the span),
    // so some land inside the write (cancelled: exit code 130).
    let whole = one_whole_run();
    let step = whole / 30;
    let (mut nothing, mut complete, mut cancelled) = (0, 0, 0);
    for signal in ["-INT", "-TERM"] {
        for n in 0..50 {
            let scratch = tempfile::tempdir().expect("tempdir");
            let code = interrupt(scratch.path(), signal, step * n);
            if nothing_or_complete(scratch.path()) {
                complete += 1;
            } else {
                nothing += 1;
            }
            if code == Some(130) {
                cancelled += 1;
            }
        }
    }
    eprintln!(
        "a whole run: {whole:?}; nothing: {nothing}, complete: {complete}, cancelled while writing: {cancelled}"
    );
    assert!(
        nothing > 0 && complete > 0,
        "the delays must span the whole run"
    );
}

#[test]
fn the_next_run_removes_what_a_killed_run_left() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let left = scratch.path().join(".plinth-killed");
    std::fs::create_dir(&left).expect("mkdir");
    std::fs::write(left.join(".env"), "SECRET_KEY=abc\n").expect("write");
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::open(&left)
        .expect("open")
        .set_modified(an_hour_ago)
        .expect("age");
    let result = run(
        scratch.path(),
        &["new", "app", "--style", "micro", "--no-git"],
    );
    assert_eq!(result.code, 0, "{}", result.transcript());
    assert!(
        result.stderr.contains("left by an interrupted plinth run"),
        "{}",
        result.stderr
    );
    assert_eq!(entries(scratch.path()), ["app"]);
}
