//! `plinth remove`: a feature or a resource taken out as it was put in. On a project
//! nobody touched, `plinth add X` then `plinth remove X` gives back the same files; the
//! user's changes elsewhere stay; what the rest of the project needs is refused first.

// Helpers outside `#[test]` functions fail their test by panicking too.
#![allow(clippy::expect_used)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{commit_all, read_tree, run};
use plinth::features::catalogue::{self, CATALOGUE};

/// Runs plinth in `folder`, which must succeed; returns its stderr.
fn plinth(folder: &Path, args: &[&str]) -> String {
    let result = run(folder, args);
    assert_eq!(result.code, 0, "plinth {args:?}\n{}", result.transcript());
    result.stderr
}

fn new_project(scratch: &Path, style: &str) -> PathBuf {
    plinth(scratch, &["new", "app", "--style", style]);
    scratch.join("app")
}

#[test]
fn adding_then_removing_each_feature_gives_back_the_same_files() {
    for feature in CATALOGUE {
        let scratch = tempfile::tempdir().expect("scratch folder");
        let root = new_project(scratch.path(), "micro");
        let before = read_tree(&root);
        plinth(&root, &["add", feature.id, "--yes"]);
        commit_all(&root, "step");
        // What `add` brought with it goes too.
        let brought: Vec<&str> = catalogue::resolve(&[feature.id.to_owned()])
            .expect("resolves")
            .iter()
            .map(|feature| feature.id)
            .collect();
        let mut args = vec!["remove"];
        args.extend(&brought);
        args.push("--yes");
        plinth(&root, &args);
        let after = read_tree(&root);
        let differing: Vec<&String> = before
            .keys()
            .chain(after.keys())
            .filter(|path| before.get(*path) != after.get(*path))
            .collect();
        assert!(
            differing.is_empty(),
            "add then remove {brought:?}: {differing:?}"
        );
    }
}

#[test]
fn the_users_changes_stay_and_a_changed_file_of_the_feature_is_kept() {
    let scratch = tempfile::tempdir().expect("scratch folder");
    let root = new_project(scratch.path(), "micro");
    plinth(&root, &["add", "templates", "docker", "--yes"]);
    let main = root.join("src/main.rs");
    let text = fs::read_to_string(&main).expect("main.rs");
    let edited = text.replacen("//!", "//! My app.\n//!", 1);
    fs::write(&main, &edited).expect("write");
    let dockerfile = root.join("Dockerfile");
    let mine = fs::read_to_string(&dockerfile).expect("Dockerfile") + "# my note\n";
    fs::write(&dockerfile, &mine).expect("write");
    commit_all(&root, "step");

    let out = plinth(&root, &["remove", "templates", "docker", "--yes"]);
    let main_after = fs::read_to_string(&main).expect("main.rs");
    assert!(main_after.contains("//! My app.\n"), "{main_after}");
    assert!(!main_after.contains("templates"), "{main_after}");
    assert!(!root.join("templates").exists());
    assert_eq!(fs::read_to_string(&dockerfile).expect("kept"), mine);
    assert!(
        out.contains("Dockerfile: plinth no longer generates it, and you changed it"),
        "{out}"
    );
    assert!(!root.join(".dockerignore").exists());
}

#[test]
fn what_the_project_needs_is_refused_and_nothing_changes() {
    let scratch = tempfile::tempdir().expect("scratch folder");
    let full = new_project(scratch.path(), "full");
    let before = read_tree(&full);
    let refused = run(&full, &["remove", "auth", "--yes"]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert!(
        refused
            .stderr
            .contains("error: cannot remove `auth`: every full project has it"),
        "{}",
        refused.stderr
    );
    assert!(
        refused
            .stderr
            .contains("help: a full project can do without admin, mail, jobs, docker, ci only"),
        "{}",
        refused.stderr
    );
    assert_eq!(read_tree(&full), before);

    let other = tempfile::tempdir().expect("scratch folder");
    let micro = new_project(other.path(), "micro");
    plinth(&micro, &["add", "admin", "--yes"]);
    plinth(
        &micro,
        &["add", "resource", "Post", "title:string", "--yes"],
    );
    commit_all(&micro, "step");
    let before = read_tree(&micro);
    let needed = run(&micro, &["remove", "auth", "--yes"]);
    assert_eq!(needed.code, 2, "{}", needed.transcript());
    assert!(
        needed
            .stderr
            .contains("error: cannot remove `auth`: admin needs it"),
        "{}",
        needed.stderr
    );
    assert!(
        needed
            .stderr
            .contains("help: remove them with it: `plinth remove admin auth`"),
        "{}",
        needed.stderr
    );
    let resources = run(&micro, &["remove", "admin", "auth", "--yes"]);
    assert_eq!(resources.code, 2, "{}", resources.transcript());
    assert!(
        resources
            .stderr
            .contains("error: cannot remove `auth`: the resources (posts) need it"),
        "{}",
        resources.stderr
    );
    assert_eq!(read_tree(&micro), before);
}

#[test]
fn a_resource_is_removed_with_a_migration_that_drops_its_table() {
    let scratch = tempfile::tempdir().expect("scratch folder");
    let root = new_project(scratch.path(), "full");
    plinth(&root, &["add", "resource", "Post", "title:string", "--yes"]);
    let with_posts = read_tree(&root);
    plinth(
        &root,
        &[
            "add",
            "resource",
            "Comment",
            "body:text",
            "post:ref:posts",
            "--api",
            "--yes",
        ],
    );
    let routes = root.join("src/routes.rs");
    let text = fs::read_to_string(&routes).expect("routes.rs");
    fs::write(&routes, text.replacen("//!", "//! My routes.\n//!", 1)).expect("write");
    commit_all(&root, "step");

    let refused = run(&root, &["remove", "resource", "Post", "--yes"]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert!(
        refused
            .stderr
            .contains("error: cannot remove `posts`: comments refer to its rows"),
        "{}",
        refused.stderr
    );

    let dry = run(&root, &["remove", "resource", "comments", "--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.transcript());
    assert!(
        dry.stdout.contains("    delete  src/comments/model.rs"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout
            .contains("    create  migrations/0006_drop_comments.sql"),
        "{}",
        dry.stdout
    );

    plinth(&root, &["remove", "resource", "comments", "--yes"]);
    let after = read_tree(&root);
    assert!(
        String::from_utf8_lossy(&after["src/routes.rs"]).starts_with("//! My routes.\n"),
        "the user's line stays"
    );
    assert!(after.contains_key("migrations/0005_create_comments.sql"));
    let drop = String::from_utf8_lossy(&after["migrations/0006_drop_comments.sql"]).into_owned();
    assert!(drop.contains("DROP TABLE IF EXISTS comments;"), "{drop}");
    // Everything else is as it was before the comments, but the user's line.
    for (path, contents) in &with_posts {
        if path == "src/routes.rs" {
            continue;
        }
        assert!(after.get(path) == Some(contents), "{path} differs");
    }
    let extra: Vec<&String> = after
        .keys()
        .filter(|path| !with_posts.contains_key(*path))
        .collect();
    assert_eq!(
        extra,
        [
            "migrations/0005_create_comments.sql",
            "migrations/0006_drop_comments.sql"
        ]
    );
}
