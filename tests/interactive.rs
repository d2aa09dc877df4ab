//! The interactive path, through a real pseudo-terminal: the style question
//! is asked, Enter answers it, and Ctrl-C or Esc leave nothing behind.

// Helpers outside `#[test]` functions fail their test by panicking too.
#![allow(clippy::expect_used, clippy::format_push_string)]
#![cfg(unix)]

mod common;

use std::process::Command;

use rexpect::session::spawn_command;

fn plinth_at_a_terminal(cwd: &std::path::Path, args: &[&str]) -> rexpect::session::PtySession {
    let mut command = Command::new(env!("CARGO_BIN_EXE_plinth"));
    command
        .args(args)
        .current_dir(cwd)
        .env("HOME", cwd)
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    spawn_command(command, Some(20_000)).expect("spawned in a pty")
}

fn exit_code(session: &mut rexpect::session::PtySession) -> i32 {
    match session.process().wait().expect("exits") {
        rexpect::process::WaitStatus::Exited(_, code) => code,
        other => panic!("unexpected end: {other:?}"),
    }
}

#[test]
fn the_style_is_asked_and_enter_takes_it() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let mut session = plinth_at_a_terminal(scratch.path(), &["new", "blog", "--no-git"]);
    session
        .exp_string("Which style of project?")
        .expect("the question");
    session.exp_string("micro").expect("the choice");
    session.send_line("").expect("enter");
    session.exp_string("Created").expect("created");
    assert_eq!(exit_code(&mut session), 0);
    assert!(scratch.path().join("blog/src/main.rs").is_file());
}

#[test]
fn ctrl_c_at_the_question_exits_130_and_writes_nothing() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let mut session = plinth_at_a_terminal(scratch.path(), &["new", "blog"]);
    session
        .exp_string("Which style of project?")
        .expect("the question");
    session.send_control('c').expect("ctrl-c");
    session.exp_string("cancelled").expect("says so");
    assert_eq!(exit_code(&mut session), 130);
    assert_eq!(common::entries(scratch.path()), Vec::<String>::new());
}

#[test]
fn esc_at_the_question_exits_130_and_writes_nothing() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let mut session = plinth_at_a_terminal(scratch.path(), &["new", "blog"]);
    session
        .exp_string("Which style of project?")
        .expect("the question");
    session.send("\x1b").expect("esc");
    session.flush().expect("sent");
    session.exp_string("cancelled").expect("says so");
    assert_eq!(exit_code(&mut session), 130);
    assert_eq!(common::entries(scratch.path()), Vec::<String>::new());
}

#[test]
fn add_asks_before_changing_and_no_changes_nothing() {
    let scratch = tempfile::tempdir().expect("tempdir");
    assert_eq!(
        common::run(
            scratch.path(),
            &["new", "blog", "--style", "micro", "--no-git"]
        )
        .code,
        0
    );
    let project = scratch.path().join("blog");

    let mut declined = plinth_at_a_terminal(&project, &["add", "docker"]);
    declined
        .exp_string("create  Dockerfile")
        .expect("the summary");
    declined
        .exp_string("Apply these changes?")
        .expect("the question");
    declined.send_line("n").expect("no");
    declined.exp_string("cancelled").expect("says so");
    assert_eq!(exit_code(&mut declined), 130);
    assert!(!project.join("Dockerfile").exists());

    let mut accepted = plinth_at_a_terminal(&project, &["add", "docker"]);
    accepted
        .exp_string("Apply these changes?")
        .expect("the question");
    accepted.send_line("y").expect("yes");
    accepted.exp_string("Created").expect("applied");
    assert_eq!(exit_code(&mut accepted), 0);
    assert!(project.join("Dockerfile").is_file());
}

#[test]
fn a_resource_in_a_micro_project_offers_the_features_it_needs() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let created = common::run(
        scratch.path(),
        &["new", "blog", "--style", "micro", "--no-git"],
    );
    assert_eq!(created.code, 0, "{}", created.transcript());
    let project = scratch.path().join("blog");
    let mut session = plinth_at_a_terminal(&project, &["add", "resource", "Note", "body:text"]);
    session
        .exp_string("A resource needs auth")
        .expect("the offer");
    session.send_line("y").expect("yes");
    session
        .exp_string("Apply these changes?")
        .expect("the confirmation");
    session.send_line("y").expect("yes");
    session.exp_string("Created").expect("created");
    assert_eq!(exit_code(&mut session), 0);
    assert!(project.join("src/notes/model.rs").is_file());
    assert!(project.join("src/auth/mod.rs").is_file());
}
