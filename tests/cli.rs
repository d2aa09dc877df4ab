//! The command line as users meet it: help texts, every error message and
//! exit code, and what `new` writes (or, when refusing, does not write).

// Helpers outside `#[test]` functions fail their test by panicking too.
#![allow(clippy::expect_used, clippy::format_push_string)]

mod common;

use std::fs;

use common::{entries, run};

#[test]
fn help_texts() {
    let scratch = tempfile::tempdir().expect("tempdir");
    for args in [
        &["--help"][..],
        &["new", "--help"],
        &["add", "--help"],
        &["upgrade", "--help"],
        &["remove", "--help"],
        &["features", "--help"],
        &["completions", "--help"],
    ] {
        let result = run(scratch.path(), args);
        assert_eq!(result.code, 0, "{args:?}");
        insta::assert_snapshot!(
            format!("help_{}", args.join("_").replace("--", "")),
            result.stdout
        );
    }
}

#[test]
fn version_is_printed() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let result = run(scratch.path(), &["--version"]);
    assert_eq!(result.code, 0);
    assert_eq!(
        result.stdout,
        format!("plinth {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn completions_are_printed_for_each_shell() {
    let scratch = tempfile::tempdir().expect("tempdir");
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let result = run(scratch.path(), &["completions", shell]);
        assert_eq!(result.code, 0, "{shell}");
        assert!(result.stdout.contains("plinth"), "{shell}");
        assert!(result.stdout.contains("dry-run"), "{shell} completes flags");
    }
}

#[test]
fn every_bad_name_exits_2_with_a_suggestion_and_creates_nothing() {
    let names = [
        "gen",
        "fn",
        "Self",
        "test",
        "std",
        "proc_macro",
        "deps",
        "build",
        "con",
        "lpt1",
        "1app",
        "héllo",
        "my app",
        "MyApp",
        "tokio",
        "axum",
        "sqlx",
        "tower-http",
    ];
    let mut transcript = String::new();
    for name in names {
        let scratch = tempfile::tempdir().expect("tempdir");
        let result = run(scratch.path(), &["new", name, "--style", "micro"]);
        assert_eq!(result.code, 2, "{name}: {}", result.stderr);
        assert!(
            result.stderr.contains("help: try `"),
            "{name}: {}",
            result.stderr
        );
        assert!(
            entries(scratch.path()).is_empty(),
            "{name} created {:?}",
            entries(scratch.path())
        );
        transcript.push_str(&format!(
            "$ plinth new '{name}' --style micro\n{}\n",
            result.stderr
        ));
    }
    insta::assert_snapshot!(transcript);
}

#[test]
fn a_path_without_a_name_is_refused() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let result = run(scratch.path(), &["new", "..", "--style", "micro"]);
    assert_eq!(result.code, 2);
    insta::assert_snapshot!(result.stderr);
}

#[test]
fn a_path_names_the_package_by_its_last_component() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let result = run(
        scratch.path(),
        &["new", "apps/blog", "--style", "micro", "--no-git"],
    );
    assert_eq!(result.code, 0, "{}", result.stderr);
    let manifest =
        fs::read_to_string(scratch.path().join("apps/blog/Cargo.toml")).expect("manifest");
    assert!(manifest.contains("name = \"blog\""));
    assert!(
        result.stdout.contains("cd apps/blog\n  cargo run"),
        "{}",
        result.stdout
    );
}

#[test]
fn a_non_empty_target_is_refused_and_left_as_it_was() {
    let scratch = tempfile::tempdir().expect("tempdir");
    fs::create_dir(scratch.path().join("blog")).expect("mkdir");
    fs::write(scratch.path().join("blog/notes.md"), "mine").expect("write");
    let result = run(scratch.path(), &["new", "blog", "--style", "micro"]);
    assert_eq!(result.code, 2);
    insta::assert_snapshot!(result.stderr);
    assert_eq!(entries(&scratch.path().join("blog")), ["notes.md"]);
    assert_eq!(
        fs::read_to_string(scratch.path().join("blog/notes.md")).expect("kept"),
        "mine"
    );
    assert_eq!(entries(scratch.path()), ["blog"], "no staging folder left");
}

#[test]
fn a_file_in_the_way_is_refused() {
    let scratch = tempfile::tempdir().expect("tempdir");
    fs::write(scratch.path().join("blog"), "a file").expect("write");
    let result = run(scratch.path(), &["new", "blog", "--style", "micro"]);
    assert_eq!(result.code, 2);
    insta::assert_snapshot!(result.stderr);
}

#[test]
fn an_empty_target_folder_is_filled() {
    let scratch = tempfile::tempdir().expect("tempdir");
    fs::create_dir(scratch.path().join("blog")).expect("mkdir");
    let result = run(
        scratch.path(),
        &["new", "blog", "--style", "micro", "--no-git"],
    );
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert!(scratch.path().join("blog/src/main.rs").is_file());
}

#[test]
fn without_a_terminal_a_missing_style_exits_2_naming_the_flags() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let result = run(scratch.path(), &["new", "blog"]);
    assert_eq!(result.code, 2);
    insta::assert_snapshot!(result.stderr);
    assert!(entries(scratch.path()).is_empty());
}

#[test]
fn yes_takes_the_default_style() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let result = run(scratch.path(), &["new", "blog", "--yes", "--no-git"]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    let manifest = fs::read_to_string(scratch.path().join("blog/Cargo.toml")).expect("manifest");
    assert!(manifest.contains("style = \"micro\""));
}

#[test]
fn dry_run_lists_the_files_and_writes_nothing() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let result = run(
        scratch.path(),
        &["new", "blog", "--style", "micro", "--dry-run"],
    );
    assert_eq!(result.code, 0, "{}", result.stderr);
    insta::assert_snapshot!(result.transcript());
    assert!(entries(scratch.path()).is_empty());
}

#[test]
fn the_project_is_committed_on_main_without_ignored_files() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let result = run(scratch.path(), &["new", "blog", "--style", "micro"]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    insta::assert_snapshot!(result.transcript());
    let repository = git2::Repository::open(scratch.path().join("blog")).expect("a repository");
    let head = repository.head().expect("head");
    assert_eq!(head.shorthand().ok(), Some("main"));
    let commit = head.peel_to_commit().expect("commit");
    assert_eq!(
        commit.message().ok(),
        Some(format!("Initial commit from plinth {}", env!("CARGO_PKG_VERSION")).as_str())
    );
    assert_eq!(
        commit.author().name().ok(),
        Some("plinth"),
        "the fallback identity is used when none is configured"
    );
    let tree = commit.tree().expect("tree");
    let mut committed = Vec::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |folder, entry| {
        if entry.kind() == Some(git2::ObjectType::Blob) {
            committed.push(format!("{folder}{}", entry.name().unwrap_or("?")));
        }
        git2::TreeWalkResult::Ok
    })
    .expect("walk");
    committed.sort();
    let mut on_disk: Vec<String> = common::read_tree(&scratch.path().join("blog"))
        .into_keys()
        .collect();
    on_disk.sort();
    assert_eq!(committed, on_disk);
}

#[test]
fn inside_a_work_tree_no_nested_repository_is_created() {
    let scratch = tempfile::tempdir().expect("tempdir");
    git2::Repository::init(scratch.path()).expect("outer repository");
    let result = run(scratch.path(), &["new", "apps/blog", "--style", "micro"]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert!(
        result.stderr.contains("no repository created"),
        "{}",
        result.stderr
    );
    assert!(!scratch.path().join("apps/blog/.git").exists());
}

#[test]
fn no_git_skips_the_repository() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let result = run(
        scratch.path(),
        &["new", "blog", "--style", "micro", "--no-git"],
    );
    assert_eq!(result.code, 0);
    assert!(!scratch.path().join("blog/.git").exists());
}

#[test]
fn unknown_features_and_commands_outside_a_project_exit_2() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let unknown = run(
        scratch.path(),
        &["new", "blog", "--style", "micro", "--with", "graphql"],
    );
    assert_eq!(unknown.code, 2);
    assert!(entries(scratch.path()).is_empty());
    let outside = run(scratch.path(), &["add", "templates"]);
    assert_eq!(outside.code, 2);
    let unknown_add = run(scratch.path(), &["add", "graphql"]);
    assert_eq!(unknown_add.code, 2);
    let unknown_add = unknown_add
        .stderr
        .replace(&scratch.path().display().to_string(), "[TMP]");
    insta::assert_snapshot!(format!(
        "$ plinth new blog --with graphql\n{}\n$ plinth add templates   (outside a project)\n{}\n$ plinth add graphql\n{}",
        unknown.stderr,
        outside
            .stderr
            .replace(&scratch.path().display().to_string(), "[TMP]"),
        unknown_add
    ));
}

#[test]
fn the_catalogue_is_listed_inside_and_outside_a_project() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let outside = run(scratch.path(), &["features"]);
    assert_eq!(outside.code, 0);
    assert!(
        run(
            scratch.path(),
            &[
                "new", "blog", "--style", "micro", "--no-git", "--with", "docker"
            ]
        )
        .code
            == 0
    );
    let inside = run(&scratch.path().join("blog"), &["features"]);
    assert_eq!(inside.code, 0);
    insta::assert_snapshot!(format!(
        "$ plinth features   (outside)\n{}\n$ plinth features   (in a project with docker)\n{}",
        outside.stdout, inside.stdout
    ));
}
