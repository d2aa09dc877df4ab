//! The base a project records (`effects::base`): its first commit, then each `plinth add`
//! and `plinth add resource` grown from the base itself, on `refs/plinth/base`, with the
//! table `.plinth/base.toml`; never the user's own changes, never a branch, the index or
//! the work tree.

// Helpers outside `#[test]` functions fail their test by panicking too.
#![allow(clippy::expect_used)]

mod common;

use std::fs;
use std::path::Path;

use common::{read_tree, run};
use git2::{ObjectType, Oid, Repository};

const BASE: &str = "refs/plinth/base";

/// Runs plinth in `folder`, which must succeed.
fn plinth(folder: &Path, args: &[&str]) {
    let result = run(folder, args);
    assert_eq!(result.code, 0, "plinth {args:?}\n{}", result.transcript());
}

/// The base's files, by path.
fn base_files(root: &Path) -> Vec<(String, Vec<u8>)> {
    let repository = Repository::open(root).expect("a repository");
    let tree = repository
        .find_reference(BASE)
        .expect("a base")
        .peel_to_tree()
        .expect("its tree");
    let mut files = Vec::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |folder, entry| {
        if entry.kind() == Some(ObjectType::Blob) {
            let blob = entry
                .to_object(&repository)
                .expect("object")
                .peel_to_blob()
                .expect("blob");
            let path = format!("{folder}{}", entry.name().expect("a name"));
            files.push((path, blob.content().to_vec()));
        }
        git2::TreeWalkResult::Ok
    })
    .expect("walks");
    files.sort();
    files
}

/// The table lists every file of the base but itself, by its git blob id.
fn table_matches(root: &Path, base: &[(String, Vec<u8>)]) {
    let table = fs::read_to_string(root.join(".plinth/base.toml")).expect("the table");
    let mut listed: Vec<&str> = table.lines().filter(|line| line.starts_with('"')).collect();
    // The table is in path order (`reset.rs` after the folder `reset/`), the base in text
    // order: compare them as sets.
    listed.sort_unstable();
    let expected: Vec<String> = base
        .iter()
        .filter(|(path, _)| path != ".plinth/base.toml")
        .map(|(path, contents)| {
            let id = Oid::hash_object(ObjectType::Blob, contents).expect("hashes");
            format!("\"{path}\" = \"{id}\"")
        })
        .collect();
    assert_eq!(listed, expected);
}

#[test]
fn the_first_commit_is_the_first_base_and_the_table_lists_its_files() {
    let scratch = tempfile::tempdir().expect("scratch folder");
    plinth(scratch.path(), &["new", "shop", "--style", "full"]);
    let root = scratch.path().join("shop");
    let repository = Repository::open(&root).expect("a repository");
    let head = repository.head().expect("HEAD").target().expect("a commit");
    let base = repository.refname_to_id(BASE).expect("a base");
    assert_eq!(base, head);
    let files = base_files(&root);
    assert!(files.iter().all(|(path, _)| path != ".env"), "no secret");
    table_matches(&root, &files);
}

#[test]
fn add_grows_the_base_from_the_base_and_leaves_branches_index_and_edits_alone() {
    let scratch = tempfile::tempdir().expect("scratch folder");
    plinth(scratch.path(), &["new", "app", "--style", "micro"]);
    let root = scratch.path().join("app");
    let main = root.join("src/main.rs");
    let edited = fs::read_to_string(&main)
        .expect("main.rs")
        .replace("It works.", "It works, says its owner.");
    fs::write(&main, &edited).expect("an edit of the user's");
    let repository = Repository::open(&root).expect("a repository");
    let head = repository.head().expect("HEAD").target().expect("a commit");
    let first_base = repository.refname_to_id(BASE).expect("a base");

    plinth(&root, &["add", "static", "--dry-run"]);
    assert_eq!(repository.refname_to_id(BASE).expect("a base"), first_base);
    plinth(&root, &["add", "static", "--yes"]);

    // The base moved on, over the first one; nothing else did.
    let base = repository
        .find_reference(BASE)
        .expect("a base")
        .peel_to_commit()
        .expect("a commit");
    assert_eq!(base.parent_id(0).expect("a parent"), first_base);
    assert_eq!(repository.head().expect("HEAD").target(), Some(head));
    let index = repository.index().expect("the index");
    assert!(index.get_path(Path::new("static/style.css"), 0).is_none());
    assert!(
        fs::read_to_string(&main)
            .expect("main.rs")
            .contains("says its owner")
    );

    // The base is what plinth makes of an untouched project: the user's edit is not in it.
    let untouched = tempfile::tempdir().expect("scratch folder");
    plinth(
        untouched.path(),
        &["new", "app", "--style", "micro", "--no-git"],
    );
    plinth(&untouched.path().join("app"), &["add", "static", "--yes"]);
    let mut pristine: Vec<(String, Vec<u8>)> = read_tree(&untouched.path().join("app"))
        .into_iter()
        .filter(|(path, _)| path != ".env")
        .collect();
    let files = base_files(&root);
    let table = files
        .iter()
        .find(|(path, _)| path == ".plinth/base.toml")
        .cloned()
        .expect("the table is in the base");
    pristine.push(table);
    pristine.sort();
    assert_eq!(files, pristine);
    table_matches(&root, &files);
}

#[test]
fn add_resource_grows_the_base() {
    let scratch = tempfile::tempdir().expect("scratch folder");
    plinth(scratch.path(), &["new", "shop", "--style", "full"]);
    let root = scratch.path().join("shop");
    plinth(&root, &["add", "resource", "Post", "title:string", "--yes"]);
    let files = base_files(&root);
    assert!(files.iter().any(|(path, _)| path == "src/posts/model.rs"));
    table_matches(&root, &files);
}

#[test]
fn a_feature_that_edits_env_grows_the_base_without_it() {
    for git in [true, false] {
        let scratch = tempfile::tempdir().expect("scratch folder");
        let mut args = vec![
            "new", "app", "--style", "micro", "--db", "postgres", "--with", "csrf",
        ];
        if !git {
            args.push("--no-git");
        }
        plinth(scratch.path(), &args);
        let root = scratch.path().join("app");
        plinth(&root, &["add", "db", "--yes"]);
        let env = fs::read_to_string(root.join(".env")).expect(".env");
        assert!(env.contains("DATABASE_URL="), "{env}");
        let files = if git {
            base_files(&root)
        } else {
            folder_files(&root.join(".plinth/base"))
        };
        assert!(
            files.iter().any(|(path, _)| path == "src/db.rs"),
            "git: {git}"
        );
        assert!(files.iter().all(|(path, _)| path != ".env"), "git: {git}");
    }
}

/// The files below `folder`, by path relative to it.
fn folder_files(folder: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = read_tree(folder).into_iter().collect();
    files.sort();
    files
}

#[test]
fn a_project_without_git_keeps_its_base_in_a_folder_of_plinths() {
    let scratch = tempfile::tempdir().expect("scratch folder");
    plinth(
        scratch.path(),
        &["new", "plain", "--style", "micro", "--no-git"],
    );
    let root = scratch.path().join("plain");
    let base = root.join(".plinth/base");
    let generated = |root: &Path| -> Vec<(String, Vec<u8>)> {
        folder_files(root)
            .into_iter()
            .filter(|(path, _)| path != ".env")
            .collect()
    };
    assert_eq!(folder_files(&base), generated(&root));
    assert!(
        !root.join(".plinth/base.toml").exists(),
        "the table is for git"
    );

    // The user's edit stays out of it; what plinth adds goes in.
    let main = root.join("src/main.rs");
    let edited = fs::read_to_string(&main).expect("main.rs") + "// mine\n";
    fs::write(&main, &edited).expect("edit");
    let added = run(&root, &["add", "static", "--yes"]);
    assert_eq!(added.code, 0, "{}", added.transcript());
    // The report names the user's files, and the bookkeeping in one line.
    assert!(
        added.stderr.contains("Created static/style.css"),
        "{}",
        added.stderr
    );
    assert!(!added.stderr.contains(".plinth/base/"), "{}", added.stderr);
    assert!(
        added.stderr.contains("Recorded what plinth generated"),
        "{}",
        added.stderr
    );
    let kept = folder_files(&base);
    assert!(kept.iter().any(|(path, _)| path == "static/style.css"));
    let main_in_base = kept
        .iter()
        .find(|(path, _)| path == "src/main.rs")
        .expect("main.rs in the base");
    assert!(!String::from_utf8_lossy(&main_in_base.1).contains("// mine"));
    let untouched = tempfile::tempdir().expect("scratch folder");
    plinth(
        untouched.path(),
        &["new", "plain", "--style", "micro", "--no-git"],
    );
    plinth(&untouched.path().join("plain"), &["add", "static", "--yes"]);
    assert_eq!(kept, generated(&untouched.path().join("plain")));
}

/// An edit that no longer finds what it replaces in the code plinth generated (so an
/// older plinth generated it) names `plinth upgrade` as the remedy, and no edit by hand;
/// in a file the user changed, the conflict is theirs to resolve, by hand.
#[test]
fn a_conflict_in_code_an_older_plinth_generated_names_plinth_upgrade() {
    let conflict = |older_base: bool| {
        let scratch = tempfile::tempdir().expect("scratch folder");
        plinth(
            scratch.path(),
            &["new", "old", "--style", "micro", "--no-git"],
        );
        let root = scratch.path().join("old");
        // What the templates feature replaces, as a different plinth would have written it.
        let older = |path: &Path| {
            let text = fs::read_to_string(path).expect("main.rs");
            let changed = text.replace("\"same-origin\"),", "\"no-referrer\"),");
            assert_ne!(text, changed, "the generated line is there");
            fs::write(path, changed).expect("write");
        };
        older(&root.join("src/main.rs"));
        if older_base {
            older(&root.join(".plinth/base/src/main.rs"));
        }
        let before = folder_files(&root);
        let added = run(&root, &["add", "templates", "--yes"]);
        assert_eq!(added.code, 1, "{}", added.transcript());
        assert_eq!(folder_files(&root), before, "nothing was written");
        added.stderr
    };
    let from_an_older_plinth = conflict(true);
    assert!(
        from_an_older_plinth.contains("conflict  src/main.rs: an older plinth generated it")
            && from_an_older_plinth.contains("help: run `plinth upgrade` first")
            && !from_an_older_plinth.contains("by hand"),
        "{from_an_older_plinth}"
    );
    let changed_by_the_user = conflict(false);
    assert!(
        changed_by_the_user.contains("conflict  src/main.rs")
            && changed_by_the_user.contains("by hand")
            && !changed_by_the_user.contains("plinth upgrade"),
        "{changed_by_the_user}"
    );
}
