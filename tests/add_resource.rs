//! `plinth add resource`: what it creates and modifies for several mixes of fields (one
//! snapshot per file), its refusals (each with exit code 2, a reason, a remedy and nothing
//! written), that the same command twice changes nothing, `--dry-run`, and a micro project
//! getting the features a resource needs.

// Helpers outside `#[test]` functions fail their test by panicking too.
#![allow(clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use common::{describe_changes, read_tree, redact_secrets, run, snapshot_name};

/// A new project of `style` on `db` in a scratch folder; returns the folder and the project.
fn project(style: &str, db: &str) -> (tempfile::TempDir, PathBuf) {
    let scratch = tempfile::tempdir().expect("tempdir");
    let result = run(
        scratch.path(),
        &[
            "new", "app", "--style", style, "--db", db, "--yes", "--no-git",
        ],
    );
    assert_eq!(result.code, 0, "{}", result.transcript());
    let root = scratch.path().join("app");
    (scratch, root)
}

fn add_resource(root: &Path, args: &[&str]) -> common::Run {
    let mut all = vec!["add", "resource"];
    all.extend_from_slice(args);
    run(root, &all)
}

/// Runs `plinth add resource ARGS` and snapshots each file it creates, whole, and the
/// diffs of the files it modifies; `only` limits the created files snapshotted to those
/// whose path starts with one of its prefixes.
fn snapshot_resource(prefix: &str, root: &Path, args: &[&str], only: &[&str]) {
    let before = read_tree(root);
    let result = add_resource(root, args);
    assert_eq!(result.code, 0, "{}", result.transcript());
    let after = read_tree(root);
    let mut modified = BTreeMap::new();
    let mut modified_before = BTreeMap::new();
    for (path, contents) in &after {
        match before.get(path) {
            None if only.is_empty() || only.iter().any(|start| path.starts_with(start)) => {
                let text = String::from_utf8(redact_secrets(contents.clone())).expect("UTF-8");
                insta::assert_snapshot!(snapshot_name(prefix, path), text);
            }
            Some(old) if old != contents => {
                modified.insert(path.clone(), contents.clone());
                modified_before.insert(path.clone(), old.clone());
            }
            _ => {}
        }
    }
    let created: Vec<&String> = after
        .keys()
        .filter(|path| !before.contains_key(*path))
        .collect();
    let summary = format!(
        "created:\n{}\n\n{}",
        created
            .iter()
            .map(|path| format!("  {path}"))
            .collect::<Vec<_>>()
            .join("\n"),
        describe_changes(&modified_before, &modified)
    );
    insta::assert_snapshot!(format!("{prefix}__changes"), summary);
}

#[test]
fn a_post_with_an_api_on_sqlite() {
    let (_scratch, root) = project("full", "sqlite");
    snapshot_resource(
        "post_sqlite",
        &root,
        &[
            "Post",
            "title:string^",
            "body:text",
            "published:bool",
            "score:int?",
            "author:ref(users)",
            "--api",
        ],
        &[],
    );
}

#[test]
fn an_event_with_every_other_kind_of_field_on_postgres() {
    let (_scratch, root) = project("full", "postgres");
    snapshot_resource(
        "event_postgres",
        &root,
        &[
            "Event",
            "name:string",
            "code:uuid^",
            "starts_on:date",
            "starts_at:datetime?",
            "price:money",
            "ratio:float?",
            "attendees:bigint",
            "notes:text?",
            "slug:string^",
            "parent:ref:events?",
        ],
        &["migrations/", "src/events/", "src/dates.rs"],
    );
}

#[test]
fn a_comment_referring_to_posts_reuses_what_posts_made() {
    let (_scratch, root) = project("full", "sqlite");
    let posts = add_resource(&root, &["Post", "title:string", "body:text"]);
    assert_eq!(posts.code, 0, "{}", posts.transcript());
    snapshot_resource(
        "comment_sqlite",
        &root,
        &[
            "Comment",
            "body:text",
            "post:ref:posts",
            "rating:int?",
            "--api",
            "--owned",
        ],
        &[
            "migrations/",
            "src/comments/model.rs",
            "src/comments/tests.rs",
        ],
    );
    let manifest = fs::read_to_string(root.join("Cargo.toml")).expect("manifest");
    // Each resource is recorded whole, so that it can be made again.
    assert!(
        manifest.contains(
            "[package.metadata.plinth.resources.posts]\nname = \"Post\"\nfields = [\"title:string\", \"body:text\"]\napi = false\nowned = false\nlabel = \"title\"\nmigration = \"0004_create_posts\"\n"
        ),
        "{manifest}"
    );
    assert!(
        manifest.contains("[package.metadata.plinth.resources.comments]\nname = \"Comment\"\n")
    );
}

#[test]
fn a_micro_project_gets_what_a_resource_needs_with_yes_and_is_asked_otherwise() {
    let (_scratch, root) = project("micro", "sqlite");
    let before = read_tree(&root);
    let refused = add_resource(&root, &["Note", "text:text"]);
    assert_eq!(refused.code, 2, "{}", refused.transcript());
    assert!(
        refused.stderr.contains(
            "error: a resource needs auth (with templates, db, sessions, csrf, limits), which this project does not have"
        ),
        "{}",
        refused.stderr
    );
    assert!(
        refused
            .stderr
            .contains("help: run `plinth add auth` first, or pass --yes to add it now"),
        "{}",
        refused.stderr
    );
    assert_eq!(read_tree(&root), before, "nothing is written");

    let added = add_resource(&root, &["Note", "text:text", "--yes"]);
    assert_eq!(added.code, 0, "{}", added.transcript());
    let manifest = fs::read_to_string(root.join("Cargo.toml")).expect("manifest");
    assert!(
        manifest.contains(
            "features = [\"templates\", \"db\", \"sessions\", \"csrf\", \"limits\", \"auth\"]"
        ),
        "{manifest}"
    );
    let main = fs::read_to_string(root.join("src/main.rs")).expect("main.rs");
    assert!(main.contains("mod notes;\n"), "{main}");
    assert!(
        main.contains("        .merge(crate::notes::routes())\n"),
        "{main}"
    );
    assert!(root.join("src/notes/model.rs").is_file());
    let module = fs::read_to_string(root.join("src/notes/mod.rs")).expect("mod.rs");
    assert!(
        !module.contains("ADMIN") && !root.join("src/crud/admin.rs").exists(),
        "no admin to register with: {module}"
    );
}

#[test]
fn bad_input_is_refused_with_a_reason_and_a_remedy_and_nothing_is_written() {
    let (_scratch, root) = project("full", "sqlite");
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["9lives", "a:string"],
            "is not a resource name",
            "help: name what one row is",
        ),
        (
            &["User", "a:string"],
            "`users` is already used by the project",
            "help:",
        ),
        (&["Type", "a:string"], "Rust keyword", "help:"),
        (
            &["Post", "title"],
            "write NAME:TYPE",
            "help: the field types are: string, text",
        ),
        (
            &["Post", "title:strnig"],
            "unknown type `strnig`",
            "help: the field types are",
        ),
        (&["Post", "Title:string"], "(try `title`)", "help:"),
        (&["Post", "id:int"], "`id` is reserved", "help:"),
        (&["Post", "mine:bool"], "`mine` is reserved", "help:"),
        (
            &["Post", "owner:ref(users)", "--owned"],
            "the column `owner_id`, which --owned keeps the row's owner in",
            "help: name the field otherwise, or leave out --owned",
        ),
        (&["Post", "price:decimal"], "use `money`", "help:"),
        (&["Post", "done:bool?"], "drop the `?`", "help:"),
        (
            &["Post", "a:string", "a:text"],
            "would both be the column `a`",
            "help: give each field",
        ),
        (
            &["Post", "author:ref(users)", "author_id:int"],
            "would both be the column `author_id`",
            "help:",
        ),
        (
            &["Post", "writer:ref(writers)"],
            "`writers`, which is not a table of this project",
            "help: refer to one of: users",
        ),
        (
            &["Category", "parent:ref(categories)"],
            "must be optional",
            "help: write `parent:ref(categories)?`",
        ),
    ];
    let before = read_tree(&root);
    for (args, reason, help) in cases {
        let result = add_resource(&root, args);
        assert_eq!(result.code, 2, "{args:?}: {}", result.transcript());
        assert!(
            result.stderr.contains("error: "),
            "{args:?}: {}",
            result.stderr
        );
        assert!(
            result.stderr.contains(reason),
            "{args:?}: {}",
            result.stderr
        );
        assert!(result.stderr.contains(help), "{args:?}: {}", result.stderr);
        assert_eq!(read_tree(&root), before, "{args:?} wrote something");
    }
    let no_fields = run(&root, &["add", "resource", "Post"]);
    assert_eq!(no_fields.code, 2, "{}", no_fields.transcript());
}

#[test]
fn the_same_command_twice_changes_nothing_and_other_fields_are_refused() {
    let (_scratch, root) = project("full", "sqlite");
    let args = ["Post", "title:string", "score:int?", "--api"];
    let first = add_resource(&root, &args);
    assert_eq!(first.code, 0, "{}", first.transcript());
    let after_first = read_tree(&root);

    let again = add_resource(&root, &args);
    assert_eq!(again.code, 0, "{}", again.transcript());
    assert!(again.stderr.contains("nothing to do"), "{}", again.stderr);
    assert_eq!(read_tree(&root), after_first);

    let other = add_resource(&root, &["posts", "title:string", "body:text"]);
    assert_eq!(other.code, 2, "{}", other.transcript());
    assert!(
        other
            .stderr
            .contains("error: the project has a resource `posts` already"),
        "{}",
        other.stderr
    );
    assert!(
        other.stderr.contains("help: choose another name"),
        "{}",
        other.stderr
    );
    assert_eq!(read_tree(&root), after_first);
}

#[test]
fn dry_run_shows_the_files_and_diffs_and_writes_nothing() {
    let (_scratch, root) = project("full", "sqlite");
    let before = read_tree(&root);
    let result = add_resource(&root, &["BlogPost", "title:string", "--dry-run"]);
    assert_eq!(result.code, 0, "{}", result.transcript());
    for line in [
        "    create  migrations/0004_create_blog_posts.sql",
        "    create  src/blog_posts/model.rs",
        "    create  src/crud/mod.rs",
        "    modify  src/routes.rs",
        "+        .merge(crate::blog_posts::routes())",
        "+      <a href=\"/blog-posts\">Blog posts</a>",
        "+    &crate::blog_posts::admin::ADMIN,",
        "Nothing was changed (--dry-run).",
    ] {
        assert!(result.stdout.contains(line), "{line}\n{}", result.stdout);
    }
    assert_eq!(read_tree(&root), before);
}

#[test]
fn a_missing_marker_is_a_conflict_and_nothing_is_written() {
    let (_scratch, root) = project("full", "sqlite");
    let routes = root.join("src/routes.rs");
    let edited = fs::read_to_string(&routes)
        .expect("routes.rs")
        .replace("        // plinth:routes\n", "");
    fs::write(&routes, edited).expect("write");
    let before = read_tree(&root);
    let result = add_resource(&root, &["Post", "title:string"]);
    assert_eq!(result.code, 1, "{}", result.transcript());
    assert!(
        result
            .stderr
            .contains("conflict  src/routes.rs: the marker comment `plinth:routes` is missing"),
        "{}",
        result.stderr
    );
    assert!(
        result.stderr.contains(".merge(crate::posts::routes())"),
        "{}",
        result.stderr
    );
    assert_eq!(read_tree(&root), before);
}

#[test]
fn the_admin_added_after_a_resource_gives_the_files_it_gives_before_it() {
    let make = |steps: &[&[&str]]| {
        let scratch = tempfile::tempdir().expect("tempdir");
        let new = common::run(
            scratch.path(),
            &["new", "shop", "--style", "micro", "--no-git"],
        );
        assert_eq!(new.code, 0, "{}", new.transcript());
        let root = scratch.path().join("shop");
        for step in steps {
            let result = common::run(&root, step);
            assert_eq!(result.code, 0, "{step:?}: {}", result.transcript());
        }
        let mut files = read_tree(&root);
        files.remove(".env");
        (scratch, files)
    };
    let resource: &[&str] = &["add", "resource", "Post", "title:string", "--api", "--yes"];
    let admin: &[&str] = &["add", "admin", "--yes"];
    let (_first, after) = make(&[resource, admin]);
    let (_second, before) = make(&[admin, resource]);
    assert!(after.contains_key("src/posts/admin.rs"));
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    for (path, contents) in &after {
        assert!(before[path] == *contents, "{path} differs");
    }
}
