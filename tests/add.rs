//! `plinth add`, feature by feature, starting from the checked-in micro
//! project in `tests/fixtures/micro`: what each feature creates and
//! modifies, that a second run changes nothing, and that conflicts and
//! missing markers change nothing either.

// Helpers outside `#[test]` functions fail their test by panicking too.
#![allow(clippy::expect_used, clippy::format_push_string)]

mod common;

use std::fs;

use common::{copy_tree, describe_changes, fixture, read_tree, run};

use plinth::features::catalogue::{CATALOGUE, resolve};

/// A scratch copy of the fixture project.
fn fixture_copy() -> tempfile::TempDir {
    let scratch = tempfile::tempdir().expect("tempdir");
    copy_tree(&fixture("micro"), scratch.path());
    scratch
}

#[test]
fn the_fixture_is_what_plinth_new_generates_today() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let result = run(
        scratch.path(),
        &["new", "fixture-app", "--style", "micro", "--no-git"],
    );
    assert_eq!(result.code, 0, "{}", result.stderr);
    let fresh = read_tree(&scratch.path().join("fixture-app"));
    if std::env::var_os("PLINTH_UPDATE_FIXTURES").is_some() {
        let _ = fs::remove_dir_all(fixture("micro"));
        copy_tree(&scratch.path().join("fixture-app"), &fixture("micro"));
    }
    assert_eq!(
        fresh,
        read_tree(&fixture("micro")),
        "tests/fixtures/micro is stale: rerun with PLINTH_UPDATE_FIXTURES=1 and review the diff"
    );
}

#[test]
fn each_feature_creates_and_modifies_exactly_this_and_a_second_add_changes_nothing() {
    for feature in CATALOGUE.iter().map(|feature| feature.id) {
        // From the fixture with what the feature requires, so that the snapshot holds what
        // the feature itself adds: its own files, and diffs of the files it edits.
        let project = fixture_copy();
        let requirements: Vec<&str> = resolve(&[feature.to_owned()])
            .expect("known")
            .iter()
            .map(|required| required.id)
            .filter(|id| *id != feature)
            .collect();
        if !requirements.is_empty() {
            let mut args = vec!["add"];
            args.extend(&requirements);
            let required = run(project.path(), &args);
            assert_eq!(required.code, 0, "{args:?}: {}", required.stderr);
        }
        let before = read_tree(project.path());
        let first = run(project.path(), &["add", feature]);
        assert_eq!(first.code, 0, "add {feature}: {}", first.stderr);
        let after = read_tree(project.path());
        insta::assert_snapshot!(format!("add_{feature}"), describe_changes(&before, &after));

        let second = run(project.path(), &["add", feature]);
        assert_eq!(second.code, 0, "second add {feature}: {}", second.stderr);
        assert!(
            second.stderr.contains("already installed"),
            "{}",
            second.stderr
        );
        assert_eq!(
            read_tree(project.path()),
            after,
            "a second `add {feature}` changed files"
        );
    }
}

#[test]
fn dry_run_prints_each_file_with_diffs_and_changes_nothing() {
    let project = fixture_copy();
    let before = read_tree(project.path());
    let result = run(project.path(), &["add", "static", "--dry-run"]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    insta::assert_snapshot!(result.transcript());
    assert_eq!(read_tree(project.path()), before);
}

#[test]
fn a_missing_marker_changes_nothing_and_says_what_to_paste() {
    let project = fixture_copy();
    let main = project.path().join("src/main.rs");
    let without_marker = fs::read_to_string(&main)
        .expect("main.rs")
        .replace("        // plinth:routes\n", "");
    fs::write(&main, without_marker).expect("write");
    let before = read_tree(project.path());
    let result = run(project.path(), &["add", "static"]);
    assert_eq!(result.code, 1);
    insta::assert_snapshot!(result.stderr);
    assert_eq!(read_tree(project.path()), before, "nothing may change");
}

#[test]
fn a_marker_moved_where_the_code_cannot_parse_is_a_conflict() {
    let project = fixture_copy();
    let main = project.path().join("src/main.rs");
    // The routes marker moved from the router's chain into `main`'s statements.
    let moved = fs::read_to_string(&main)
        .expect("main.rs")
        .replace("        // plinth:routes\n", "")
        .replace(
            "    // plinth:serve\n",
            "    // plinth:serve\n    // plinth:routes\n",
        );
    fs::write(&main, moved).expect("write");
    let before = read_tree(project.path());
    let result = run(project.path(), &["add", "static"]);
    assert_eq!(result.code, 1, "{}", result.transcript());
    assert!(
        result
            .stderr
            .contains("src/main.rs: the edited file would not parse"),
        "{}",
        result.stderr
    );
    assert!(
        result
            .stderr
            .contains("add these lines where `plinth:routes` was:"),
        "{}",
        result.stderr
    );
    assert_eq!(read_tree(project.path()), before, "nothing may change");
}

#[test]
fn a_file_in_the_way_is_a_conflict_and_changes_nothing() {
    let project = fixture_copy();
    fs::create_dir_all(project.path().join("static")).expect("mkdir");
    fs::write(
        project.path().join("static/style.css"),
        "body { color: red }\n",
    )
    .expect("write");
    let before = read_tree(project.path());
    let result = run(project.path(), &["add", "static"]);
    assert_eq!(result.code, 1);
    insta::assert_snapshot!(result.stderr);
    assert_eq!(read_tree(project.path()), before, "nothing may change");
}

#[test]
fn user_dependencies_and_comments_in_cargo_toml_survive() {
    let project = fixture_copy();
    let manifest_path = project.path().join("Cargo.toml");
    let manifest = fs::read_to_string(&manifest_path)
        .expect("Cargo.toml")
        .replace(
            "[dependencies]\n",
            "[dependencies]\n# my own picks\nregex = \"1\" # for slugs\n",
        );
    fs::write(&manifest_path, &manifest).expect("write");
    let result = run(project.path(), &["add", "db"]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    let updated = fs::read_to_string(&manifest_path).expect("Cargo.toml");
    assert!(updated.contains("# my own picks\n"), "{updated}");
    assert!(updated.contains("regex = \"1\" # for slugs\n"), "{updated}");
    assert!(updated.contains("features = [\"db\"]"), "{updated}");
}

#[test]
fn path_points_at_a_project_and_db_cannot_switch_once_installed() {
    let project = fixture_copy();
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let path = project.path().to_string_lossy().into_owned();
    let added = run(elsewhere.path(), &["add", "db", "--path", &path]);
    assert_eq!(added.code, 0, "{}", added.stderr);
    let switched = run(
        elsewhere.path(),
        &["add", "db", "--db", "postgres", "--path", &path],
    );
    assert_eq!(switched.code, 2);
    insta::assert_snapshot!(switched.stderr);
}

#[test]
fn add_db_with_postgres_records_it() {
    let project = fixture_copy();
    let result = run(project.path(), &["add", "db", "--db", "postgres"]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    let manifest = fs::read_to_string(project.path().join("Cargo.toml")).expect("Cargo.toml");
    assert!(manifest.contains("db = \"postgres\""), "{manifest}");
    assert!(manifest.contains("\"postgres\""), "{manifest}");
}

/// Every rotation of the catalogue, forwards and backwards, added one feature at a time,
/// gives the bytes `plinth new --with` gives at once, on both databases.
#[test]
fn features_added_in_any_order_give_the_same_files() {
    let ids: Vec<&str> = CATALOGUE.iter().map(|feature| feature.id).collect();
    for db in ["sqlite", "postgres"] {
        let at_once = tempfile::tempdir().expect("tempdir");
        let result = run(
            at_once.path(),
            &[
                "new",
                "fixture-app",
                "--style",
                "micro",
                "--no-git",
                "--db",
                db,
                "--with",
                &ids.join(","),
            ],
        );
        assert_eq!(result.code, 0, "{}", result.stderr);
        let expected = read_tree(&at_once.path().join("fixture-app"));
        let mut orders = Vec::new();
        for turn in 0..ids.len() {
            let mut order = ids.clone();
            order.rotate_left(turn);
            orders.push(order.clone());
            order.reverse();
            orders.push(order);
        }
        for order in orders {
            let project = fixture_copy();
            for feature in &order {
                let added = run(project.path(), &["add", feature, "--db", db]);
                assert_eq!(added.code, 0, "{db} {order:?}: {}", added.stderr);
            }
            assert_eq!(read_tree(project.path()), expected, "{db}: {order:?}");
        }
    }
}

#[test]
fn an_unchanged_project_stays_byte_identical_on_disk_when_nothing_is_to_do() {
    let project = fixture_copy();
    assert_eq!(run(project.path(), &["add", "docker"]).code, 0);
    let before = read_tree(project.path());
    let again = run(project.path(), &["add", "docker", "--yes"]);
    assert!(again.stderr.contains("nothing to do"));
    assert_eq!(read_tree(project.path()), before);
}

#[test]
fn add_auth_on_a_bare_micro_project_pulls_in_and_names_what_it_requires() {
    let project = fixture_copy();
    let result = run(project.path(), &["add", "auth"]);
    assert_eq!(result.code, 0, "{}", result.stderr);
    assert!(
        result.stderr.contains(
            "Adding templates (required), db (required), sessions (required), csrf (required), limits (required), auth"
        ),
        "{}",
        result.stderr
    );
    let manifest = fs::read_to_string(project.path().join("Cargo.toml")).expect("Cargo.toml");
    assert!(
        manifest.contains(
            "features = [\"templates\", \"db\", \"sessions\", \"csrf\", \"limits\", \"auth\"]"
        ),
        "{manifest}"
    );
    let admin = run(project.path(), &["add", "admin"]);
    assert_eq!(admin.code, 0, "{}", admin.stderr);
    assert!(
        admin.stderr.contains("auth (already installed)"),
        "{}",
        admin.stderr
    );
    assert!(
        admin.stderr.contains("Adding static (required), admin\n"),
        "{}",
        admin.stderr
    );
}
