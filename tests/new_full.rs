//! The full project, file by file on SQLite (the sorted file list and one snapshot per
//! generated file, the secret key redacted), and on PostgreSQL as its differences from the
//! SQLite project. Then the promise that makes
//! `--without` safe to use: leaving a battery out and adding it later gives the same files.

// Helpers outside `#[test]` functions fail their test by panicking too.
#![allow(clippy::expect_used, clippy::format_push_string)]

mod common;

use std::path::{Path, PathBuf};

use common::{describe_changes, read_tree, reviewable, run, snapshot_name};

fn generate(scratch: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let mut args = vec!["new", name, "--style", "full", "--no-git"];
    args.extend_from_slice(extra);
    let result = run(scratch, &args);
    assert_eq!(result.code, 0, "plinth {args:?}\n{}", result.stderr);
    scratch.join(name)
}

fn snapshot_tree(prefix: &str, root: &Path) {
    let files = read_tree(root);
    let list: Vec<&str> = files.keys().map(String::as_str).collect();
    insta::assert_snapshot!(format!("{prefix}__file_list"), list.join("\n"));
    for (path, contents) in &files {
        assert!(std::str::from_utf8(contents).is_ok(), "text files only");
        let text = reviewable(path, contents);
        insta::assert_snapshot!(snapshot_name(prefix, path), text);
    }
}

#[test]
fn full_project_files_on_sqlite() {
    let scratch = tempfile::tempdir().expect("tempdir");
    snapshot_tree("full_sqlite", &generate(scratch.path(), "shop", &[]));
}

#[test]
fn full_project_on_postgres_differs_from_sqlite_only_in_its_database() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let sqlite = read_tree(&generate(scratch.path(), "shop", &[]));
    let other = scratch.path().join("postgres");
    std::fs::create_dir(&other).expect("mkdir");
    let postgres = read_tree(&generate(&other, "shop", &["--db", "postgres"]));
    insta::assert_snapshot!(
        "full_postgres__differences",
        describe_changes(&sqlite, &postgres)
    );
}

#[test]
fn the_metadata_records_the_style_and_every_feature() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let project = generate(scratch.path(), "shop", &["--without", "docker"]);
    let manifest = std::fs::read_to_string(project.join("Cargo.toml")).expect("Cargo.toml");
    assert!(manifest.contains("style = \"full\""), "{manifest}");
    assert!(
        manifest.contains(
            r#"features = ["templates", "static", "db", "sessions", "csrf", "limits", "auth", "admin", "mail", "jobs", "ci"]"#
        ),
        "{manifest}"
    );
    assert!(!project.join("Dockerfile").exists());
}

/// `plinth new --style full --without X` then `plinth add X` gives, byte for byte, what
/// `plinth new --style full` gives: for each optional battery, and for all three at once.
#[test]
fn leaving_batteries_out_and_adding_them_later_gives_the_full_project() {
    for db in ["sqlite", "postgres"] {
        let scratch = tempfile::tempdir().expect("tempdir");
        let whole = generate(scratch.path(), "shop", &["--db", db]);
        for left_out in ["admin", "docker", "ci", "admin,docker,ci"] {
            let root = scratch.path().join(left_out.replace(',', "-"));
            std::fs::create_dir(&root).expect("mkdir");
            let project = generate(&root, "shop", &["--db", db, "--without", left_out]);
            assert_ne!(
                read_tree(&whole),
                read_tree(&project),
                "{left_out} left out"
            );
            let mut args = vec!["add", "--yes"];
            args.extend(left_out.split(','));
            let added = run(&project, &args);
            assert_eq!(added.code, 0, "plinth {args:?}\n{}", added.stderr);
            assert_eq!(
                read_tree(&whole),
                read_tree(&project),
                "{db}: --without {left_out}, then add"
            );
        }
    }
}

#[test]
fn without_is_refused_where_it_cannot_apply() {
    let scratch = tempfile::tempdir().expect("tempdir");
    for (args, message, help) in [
        (
            &["--style", "micro", "--without", "admin"][..],
            "error: cannot leave out `admin`: a micro project starts without features",
            "help: drop `--without`, or add `--style full`",
        ),
        (
            &["--style", "full", "--without", "auth"],
            "error: cannot leave out `auth`: every full project is built on it",
            "help: the batteries a full project can go without are: admin, mail, jobs, docker, ci",
        ),
        (
            &["--style", "full", "--without", "admin", "--with", "admin"],
            "error: cannot leave out `admin`: it is also named after `--with`",
            "help: name it in one of `--with` and `--without`",
        ),
        (
            &["--style", "full", "--without", "graphql"],
            "error: unknown feature `graphql`",
            "help: the features are:",
        ),
    ] {
        let mut command = vec!["new", "shop"];
        command.extend_from_slice(args);
        let result = run(scratch.path(), &command);
        assert_eq!(result.code, 2, "{command:?}");
        assert!(result.stderr.contains(message), "{}", result.stderr);
        assert!(result.stderr.contains(help), "{}", result.stderr);
        assert!(!scratch.path().join("shop").exists(), "nothing written");
    }
}
