//! A project rendered again from what it records of itself (`commands::replay`) is the
//! project, byte for byte but for the secret in `.env`: the records are complete. This is
//! the base `plinth upgrade` and `plinth remove` compare a project with.

// Helpers outside `#[test]` functions fail their test by panicking too.
#![allow(clippy::expect_used)]

mod common;

use std::path::Path;

use common::{read_tree, run};
use plinth::commands::replay::render_again;
use plinth::project;

/// Runs plinth in `folder`, which must succeed.
fn plinth(folder: &Path, args: &[&str]) {
    let result = run(folder, args);
    assert_eq!(result.code, 0, "plinth {args:?}\n{}", result.transcript());
}

/// The project made again from its records equals the project on disk.
fn replays_exactly(root: &Path) {
    let project = project::locate(root).expect("a plinth project");
    let again = render_again(&project).expect("renders again");
    let mut again: Vec<(String, Vec<u8>)> = again
        .iter()
        .map(|(path, contents)| (path.to_string_lossy().into_owned(), contents.to_vec()))
        .filter(|(path, _)| path != ".env")
        .collect();
    // In text order, as `read_tree` lists the files on disk.
    again.sort();
    let on_disk: Vec<(String, Vec<u8>)> = read_tree(root)
        .into_iter()
        .filter(|(path, _)| path != ".env")
        .collect();
    let names = |files: &[(String, Vec<u8>)]| -> Vec<String> {
        files.iter().map(|(path, _)| path.clone()).collect()
    };
    assert_eq!(names(&again), names(&on_disk));
    for ((path, replayed), (_, written)) in again.iter().zip(&on_disk) {
        assert!(
            replayed == written,
            "{path} differs:\n{}",
            similar::TextDiff::from_lines(
                String::from_utf8_lossy(written),
                String::from_utf8_lossy(replayed)
            )
            .unified_diff()
        );
    }
}

#[test]
fn a_micro_project_grown_by_add_and_add_resource_replays_exactly() {
    let scratch = tempfile::tempdir().expect("scratch folder");
    plinth(
        scratch.path(),
        &["new", "shop", "--style", "micro", "--no-git"],
    );
    let root = scratch.path().join("shop");
    plinth(&root, &["add", "static", "admin"]);
    plinth(
        &root,
        &["add", "resource", "Post", "title:string^", "body:text"],
    );
    plinth(
        &root,
        &[
            "add",
            "resource",
            "Comment",
            "body:text",
            "post:ref(posts)",
            "--api",
            "--owned",
        ],
    );
    plinth(
        &root,
        &["add", "resource", "Reading", "value:float", "at:datetime?"],
    );
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
    assert!(
        manifest.contains(
            "[package.metadata.plinth.resources.comments]\nname = \"Comment\"\nfields = [\"body:text\", \"post:ref(posts)\"]\napi = true\nowned = true\nlabel = \"\"\nmigration = \"0005_create_comments\"\n"
        ),
        "{manifest}"
    );
    replays_exactly(&root);
}

#[test]
fn a_full_project_on_postgres_with_resources_replays_exactly() {
    let scratch = tempfile::tempdir().expect("scratch folder");
    plinth(
        scratch.path(),
        &[
            "new",
            "shop",
            "--style",
            "full",
            "--db",
            "postgres",
            "--without",
            "admin",
            "--no-git",
        ],
    );
    let root = scratch.path().join("shop");
    plinth(
        &root,
        &[
            "add",
            "resource",
            "Product",
            "name:string^",
            "price:money",
            "code:uuid?",
        ],
    );
    plinth(
        &root,
        &[
            "add",
            "resource",
            "Order",
            "product:ref(products)",
            "on:date",
            "--api",
        ],
    );
    replays_exactly(&root);
}

#[test]
fn a_resource_recorded_without_its_fields_cannot_be_replayed_and_says_why() {
    let scratch = tempfile::tempdir().expect("scratch folder");
    plinth(
        scratch.path(),
        &["new", "shop", "--style", "full", "--no-git"],
    );
    let root = scratch.path().join("shop");
    let manifest = root.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).expect("Cargo.toml");
    // How plinth recorded a resource before it kept its fields.
    let old = format!("{text}\n[package.metadata.plinth.resources]\nposts = \"title\"\n");
    std::fs::write(&manifest, old).expect("write");
    let project = project::locate(&root).expect("a plinth project");
    let error = render_again(&project).expect_err("not replayable");
    assert!(
        error
            .to_string()
            .contains("`posts` was recorded by an older plinth, without its fields"),
        "{error}"
    );
}
