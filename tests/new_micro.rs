//! The micro project, file by file: the sorted file list and one snapshot
//! per generated file. Any change to what users receive shows up here.

// Helpers outside `#[test]` functions fail their test by panicking too.
#![allow(clippy::expect_used, clippy::format_push_string)]

mod common;

use common::{read_tree, reviewable, run, snapshot_name};

#[test]
fn micro_project_files() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let result = run(
        scratch.path(),
        &["new", "hello-app", "--style", "micro", "--no-git"],
    );
    assert_eq!(result.code, 0, "{}", result.stderr);
    let files = read_tree(&scratch.path().join("hello-app"));
    // Flask-sized: the whole app and its tests in one file of at most 150 lines.
    let main = std::str::from_utf8(&files["src/main.rs"]).expect("UTF-8");
    assert!(
        main.lines().count() <= 150,
        "{} lines",
        main.lines().count()
    );
    let list: Vec<&str> = files.keys().map(String::as_str).collect();
    insta::assert_snapshot!("micro__file_list", list.join("\n"));
    for (path, contents) in &files {
        assert!(std::str::from_utf8(contents).is_ok(), "text files only");
        let text = reviewable(path, contents);
        insta::assert_snapshot!(snapshot_name("micro", path), text);
    }
}

#[test]
fn generation_is_deterministic() {
    let first = tempfile::tempdir().expect("tempdir");
    let second = tempfile::tempdir().expect("tempdir");
    for scratch in [&first, &second] {
        let result = run(
            scratch.path(),
            &[
                "new",
                "blog",
                "--style",
                "micro",
                "--no-git",
                "--with",
                "templates,static,db,docker,ci",
            ],
        );
        assert_eq!(result.code, 0, "{}", result.stderr);
    }
    assert_eq!(
        read_tree(&first.path().join("blog")),
        read_tree(&second.path().join("blog"))
    );
}
