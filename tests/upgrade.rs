//! `plinth upgrade` across a real change of the templates: each test renders its project
//! with plinth's templates, then upgrades it with a second template set (a copy of
//! `templates/` changed as a later plinth would change it, read through
//! `PLINTH_TEMPLATES`), and checks every class of file: replaced, merged, conflicted,
//! created, removed, kept (deleted, changed, a migration), `Cargo.toml` by its keys, `.env`.

// Helpers outside `#[test]` functions fail their test by panicking too.
#![allow(clippy::expect_used)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{Run, commit_all, plinth, read_tree};
use git2::Repository;

/// The second template set: plinth's templates as a later version changes them.
struct Next {
    _folder: tempfile::TempDir,
    path: PathBuf,
}

/// Replaces `from` by `to` in the template at `path` inside `root`, which must hold it.
fn change(root: &Path, path: &str, from: &str, to: &str) {
    let file = root.join(path);
    let text = fs::read_to_string(&file).expect("a template");
    assert!(text.contains(from), "{path} lacks {from:?}");
    fs::write(&file, text.replacen(from, to, 1)).expect("write");
}

fn next_templates() -> Next {
    let folder = tempfile::tempdir().expect("scratch folder");
    let root = folder.path().join("templates");
    common::copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"),
        &root,
    );
    // A file nobody touches gains a rule.
    let css = root.join("features/static/files/static/style.css");
    let mut text = fs::read_to_string(&css).expect("style.css");
    text.push_str("\n/* Added by the next plinth. */\n:focus-visible { outline: 2px solid; }\n");
    fs::write(&css, text).expect("write");
    // Files users change: plinth changes other lines of one, the same line of another.
    change(
        &root,
        "full/files/src/views/home.rs.hbs",
        "use axum::response::Html;",
        "use axum::response::Html;\n// The next plinth's line.",
    );
    change(
        &root,
        "full/files/src/routes.rs",
        "//! Every route of the site, and the middleware",
        "//! Every route of the site (as the next plinth says), and the middleware",
    );
    // A page the user deletes, changed by plinth.
    change(
        &root,
        "full/files/templates/errors/404.html",
        "</",
        "<!-- next --></",
    );
    // A new file; two files no longer generated.
    fs::write(
        root.join("full/files/SECURITY.md"),
        "# Reporting a vulnerability\n",
    )
    .expect("write");
    fs::remove_file(root.join("features/docker/files/dot_dockerignore")).expect("remove");
    fs::remove_file(root.join("full/files/src/security.rs")).expect("remove");
    // Requirements: one the user kept as plinth had it, one the user changed.
    change(
        &root,
        "full/files/Cargo.toml.hbs",
        "tracing-subscriber = \"0.3\"",
        "tracing-subscriber = \"0.3.20\"",
    );
    change(
        &root,
        "full/files/Cargo.toml.hbs",
        "dotenvy = \"0.15\"",
        "dotenvy = \"0.15.7\"",
    );
    // A migration plinth would now write differently, and a new setting.
    change(
        &root,
        "features/auth/files/migrations/0003_create_users.sql.hbs",
        "CREATE TABLE",
        "-- The next plinth's comment.\nCREATE TABLE",
    );
    change(
        &root,
        "features/csrf/files/dot_env.hbs",
        "# plinth:settings",
        "NEXT_SETTING=on\n# plinth:settings",
    );
    Next {
        _folder: folder,
        path: root,
    }
}

/// Runs plinth in `folder` with the templates at `templates` (plinth's own when `None`).
fn run_with(folder: &Path, templates: Option<&Path>, args: &[&str]) -> Run {
    let mut command = plinth(folder, args);
    if let Some(templates) = templates {
        command.env("PLINTH_TEMPLATES", templates);
    }
    Run::from(command.output().expect("plinth runs"))
}

/// Runs `plinth upgrade --path shop FLAGS…` in `scratch` with the next templates.
fn upgrade(scratch: &Path, next: &Next, flags: &[&str]) -> Run {
    let mut args = vec!["upgrade", "--path", "shop"];
    args.extend_from_slice(flags);
    run_with(scratch, Some(&next.path), &args)
}

/// Requires `text` to contain `wanted`, and shows it when it does not.
fn says(text: &str, wanted: &str) {
    assert!(text.contains(wanted), "{wanted:?} is missing from:\n{text}");
}

fn read(root: &Path, path: &str) -> String {
    fs::read_to_string(root.join(path)).unwrap_or_else(|_| panic!("{path} is there"))
}

fn edit(root: &Path, path: &str, from: &str, to: &str) {
    let text = read(root, path);
    assert!(text.contains(from), "{path} lacks {from:?}");
    fs::write(root.join(path), text.replacen(from, to, 1)).expect("write");
}

/// A full project with a resource, made with plinth's templates, in `scratch/shop`.
fn shop(scratch: &Path) -> PathBuf {
    shop_with(scratch, None)
}

/// A full project without git (its base in `.plinth/base/`), in `scratch/shop`.
fn shop_without_git(scratch: &Path) -> PathBuf {
    let made = run_with(
        scratch,
        None,
        &["new", "shop", "--style", "full", "--no-git"],
    );
    assert_eq!(made.code, 0, "{}", made.transcript());
    scratch.join("shop")
}

/// The same project as the next plinth makes it.
fn next_shop(next: &Next) -> (tempfile::TempDir, PathBuf) {
    let scratch = tempfile::tempdir().expect("scratch folder");
    let root = shop_with(scratch.path(), Some(&next.path));
    (scratch, root)
}

fn shop_with(scratch: &Path, templates: Option<&Path>) -> PathBuf {
    let made = run_with(scratch, templates, &["new", "shop", "--style", "full"]);
    assert_eq!(made.code, 0, "{}", made.transcript());
    let root = scratch.join("shop");
    let added = run_with(
        scratch,
        templates,
        &[
            "add",
            "resource",
            "Post",
            "title:string",
            "body:text",
            "--path",
            "shop",
            "--yes",
        ],
    );
    assert_eq!(added.code, 0, "{}", added.transcript());
    commit_all(&root, "Add posts");
    root
}

/// The user's own changes, committed: the home page's doc, the routes' first line (which
/// the next plinth changes too), a deleted page, a note in `src/security.rs` (returned),
/// and a requirement of their own.
fn change_as_a_user_would(root: &Path) -> String {
    edit(
        root,
        "src/views/home.rs",
        "//! The home page",
        "//! My shop's home page",
    );
    edit(
        root,
        "src/routes.rs",
        "//! Every route of the site, and the middleware",
        "//! Every route of my shop, and the middleware",
    );
    fs::remove_file(root.join("templates/errors/404.html")).expect("delete");
    let security = read(root, "src/security.rs") + "// My note.\n";
    fs::write(root.join("src/security.rs"), &security).expect("write");
    edit(
        root,
        "Cargo.toml",
        "dotenvy = \"0.15\"",
        "dotenvy = \"0.15.1\"",
    );
    commit_all(root, "My changes");
    security
}

#[test]
fn each_kind_of_file_is_upgraded_as_the_user_left_it() {
    let scratch = tempfile::tempdir().expect("scratch folder");
    let root = shop(scratch.path());
    let next = next_templates();

    let security = change_as_a_user_would(&root);
    let migration = read(&root, "migrations/0003_create_users.sql");
    let env_before = read(&root, ".env");

    let upgraded = upgrade(scratch.path(), &next, &["--yes"]);
    let out = upgraded.transcript();
    assert_eq!(upgraded.code, 1, "conflicts remain:\n{out}");
    says(
        &out,
        "Summary 1 replaced, 1 created, 1 merged cleanly, 1 with conflicts, 1 removed, 1 kept deleted, 2 kept as you have them, 1 extended, 1 updated in Cargo.toml, 1 kept as yours in Cargo.toml",
    );
    assert!(
        out.contains("error: 1 file(s) have conflicts to resolve: `src/routes.rs`"),
        "{out}"
    );
    assert!(
        out.contains("help: edit each file where `<<<<<<< your project`"),
        "{out}"
    );

    // Replaced: what the next plinth generates, byte for byte.
    let (_fresh, fresh_root) = next_shop(&next);
    assert_eq!(
        read(&root, "static/style.css"),
        read(&fresh_root, "static/style.css")
    );
    assert!(out.contains("Replaced static/style.css"), "{out}");
    // Merged: both changes.
    let home = read(&root, "src/views/home.rs");
    assert!(home.starts_with("//! My shop's home page"), "{home}");
    assert!(home.contains("// The next plinth's line."), "{home}");
    assert!(out.contains("Merged src/views/home.rs"), "{out}");
    // Conflicted: three sides, each named.
    let routes = read(&root, "src/routes.rs");
    assert!(
        routes.starts_with(
            "<<<<<<< your project\n//! Every route of my shop, and the middleware each request passes through, in one\n||||||| plinth 0.1.0\n//! Every route of the site, and the middleware each request passes through, in one\n=======\n//! Every route of the site (as the next plinth says), and the middleware each request passes through, in one\n>>>>>>> plinth 0.1.0\n"
        ),
        "{routes}"
    );
    // Created, removed, kept.
    assert_eq!(read(&root, "SECURITY.md"), "# Reporting a vulnerability\n");
    assert!(!root.join(".dockerignore").exists());
    assert!(out.contains("Removed .dockerignore"), "{out}");
    assert_eq!(read(&root, "src/security.rs"), security);
    assert!(
        out.contains("src/security.rs: plinth no longer generates it, and you changed it"),
        "{out}"
    );
    assert!(!root.join("templates/errors/404.html").exists());
    assert!(
        out.contains("templates/errors/404.html deleted, as you left it"),
        "{out}"
    );
    assert_eq!(read(&root, "migrations/0003_create_users.sql"), migration);
    assert!(
        out.contains("migrations/0003_create_users.sql: a migration is never rewritten"),
        "{out}"
    );
    // Cargo.toml by its keys; .env gains the new setting and keeps its secret.
    let manifest = read(&root, "Cargo.toml");
    assert!(
        manifest.contains("tracing-subscriber = \"0.3.20\""),
        "{manifest}"
    );
    assert!(manifest.contains("dotenvy = \"0.15.1\""), "{manifest}");
    assert!(out.contains("Kept Cargo.toml: dependencies.dotenvy: yours (\"0.15.1\") kept; plinth now has \"0.15.7\""), "{out}");
    let env = read(&root, ".env");
    assert!(env.starts_with(&env_before), "{env}");
    assert!(env.ends_with("NEXT_SETTING=on\n"), "{env}");
    // The resource was made again and is unchanged.
    assert_eq!(
        read(&root, "src/posts/model.rs"),
        read(&fresh_root, "src/posts/model.rs")
    );

    // The base is now the next plinth's render: a second upgrade has nothing to do once
    // the user resolved the conflict; the deleted page comes back when asked for.
    fs::write(
        root.join("src/routes.rs"),
        read(&fresh_root, "src/routes.rs"),
    )
    .expect("resolve");
    commit_all(&root, "Upgraded");
    let check = upgrade(scratch.path(), &next, &["--check"]);
    assert_eq!(check.code, 0, "{}", check.transcript());
    let restored = run_with(
        scratch.path(),
        Some(&next.path),
        &[
            "upgrade",
            "--path",
            "shop",
            "--yes",
            "--restore",
            "templates/errors/404.html",
        ],
    );
    assert_eq!(restored.code, 0, "{}", restored.transcript());
    assert_eq!(
        read(&root, "templates/errors/404.html"),
        read(&fresh_root, "templates/errors/404.html")
    );
}

#[test]
fn an_untouched_project_becomes_what_the_next_plinth_generates() {
    let scratch = tempfile::tempdir().expect("scratch folder");
    let root = shop(scratch.path());
    let next = next_templates();
    let upgraded = upgrade(scratch.path(), &next, &["--yes"]);
    assert_eq!(upgraded.code, 0, "{}", upgraded.transcript());

    let (_fresh, fresh_root) = next_shop(&next);
    let mut ours = read_tree(&root);
    let mut theirs = read_tree(&fresh_root);
    // Migrations are never rewritten, and `.env` keeps the project's secret.
    for tree in [&mut ours, &mut theirs] {
        tree.remove("migrations/0003_create_users.sql");
        tree.remove(".env");
    }
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>()
    );
    for (path, contents) in &theirs {
        assert!(
            ours[path] == *contents,
            "{path} differs from a fresh render"
        );
    }
}

#[test]
fn dry_run_and_check_change_nothing_and_a_dirty_tree_is_refused() {
    let scratch = tempfile::tempdir().expect("scratch folder");
    let root = shop(scratch.path());
    let next = next_templates();
    let before = read_tree(&root);

    let dry = upgrade(scratch.path(), &next, &["--dry-run"]);
    assert_eq!(dry.code, 0, "{}", dry.transcript());
    says(&dry.stdout, "    modify  static/style.css");
    says(&dry.stdout, "+:focus-visible { outline: 2px solid; }");
    says(&dry.stdout, "    delete  .dockerignore");
    says(&dry.stdout, "    create  SECURITY.md");
    says(&dry.stdout, "Nothing was changed (--dry-run).");
    assert_eq!(read_tree(&root), before);

    let check = upgrade(scratch.path(), &next, &["--check"]);
    assert_eq!(check.code, 1, "{}", check.transcript());
    says(&check.stderr, "error: an upgrade would change");
    assert_eq!(read_tree(&root), before);
    let current = run_with(
        scratch.path(),
        None,
        &["upgrade", "--path", "shop", "--check"],
    );
    assert_eq!(
        current.code,
        0,
        "with its own plinth's templates:\n{}",
        current.transcript()
    );

    edit(&root, "src/routes.rs", "//! Every route", "//! Each route");
    let dirty = upgrade(scratch.path(), &next, &["--yes"]);
    assert_eq!(dirty.code, 1, "{}", dirty.transcript());
    assert!(
        dirty
            .stderr
            .contains("error: the project has uncommitted changes: `src/routes.rs`"),
        "{}",
        dirty.stderr
    );
    says(&dirty.stderr, "help: commit or stash them first");
    let mut expected = before;
    expected.insert(
        "src/routes.rs".to_owned(),
        read(&root, "src/routes.rs").into_bytes(),
    );
    assert_eq!(read_tree(&root), expected);
}

#[test]
fn a_project_without_git_upgrades_from_its_folder() {
    let scratch = tempfile::tempdir().expect("scratch folder");
    let root = shop_without_git(scratch.path());
    edit(
        &root,
        "src/views/home.rs",
        "//! The home page",
        "//! My shop's home page",
    );
    let next = next_templates();
    let upgraded = upgrade(scratch.path(), &next, &["--yes"]);
    assert_eq!(upgraded.code, 0, "{}", upgraded.transcript());
    let home = read(&root, "src/views/home.rs");
    assert!(
        home.starts_with("//! My shop's home page") && home.contains("// The next plinth's line."),
        "{home}"
    );
    // The folder now holds the next plinth's render, not the user's edit.
    let kept = read(&root, ".plinth/base/src/views/home.rs");
    assert!(
        kept.starts_with("//! The home page") && kept.contains("// The next plinth's line."),
        "{kept}"
    );
    assert!(!root.join(".plinth/base/.dockerignore").exists());
}

#[test]
fn a_failed_write_leaves_the_project_as_it_was() {
    let scratch = tempfile::tempdir().expect("scratch folder");
    let root = shop(scratch.path());
    let next = next_templates();
    // A file where the upgrade needs a folder: the write fails after the plan is made.
    let blocker = next.path.join("full/files/docs/guide.md");
    fs::create_dir_all(blocker.parent().expect("parent")).expect("mkdir");
    fs::write(&blocker, "# Guide\n").expect("write");
    fs::write(root.join("docs"), "a file of the user's\n").expect("write");
    let before = read_tree(&root);
    let head = Repository::open(&root)
        .expect("repo")
        .refname_to_id("refs/plinth/base")
        .expect("base");

    let failed = upgrade(scratch.path(), &next, &["--yes"]);
    assert_ne!(failed.code, 0, "{}", failed.transcript());
    says(&failed.stderr, "error: ");
    assert_eq!(read_tree(&root), before);
    let after = Repository::open(&root)
        .expect("repo")
        .refname_to_id("refs/plinth/base")
        .expect("base");
    assert_eq!(head, after, "the base stays where it was");
}

#[cfg(unix)]
#[test]
fn an_interrupt_at_any_moment_leaves_the_project_as_it_was_or_upgraded() {
    use std::process::Stdio;

    let next = next_templates();
    let (mut before_seen, mut after_seen) = (0, 0);
    // The result of an upgrade nobody interrupts, to compare with.
    let whole = tempfile::tempdir().expect("scratch folder");
    let whole_root = shop(whole.path());
    let before = read_tree(&whole_root);
    let started = std::time::Instant::now();
    let done = run_with(
        whole.path(),
        Some(&next.path),
        &["upgrade", "--path", "shop", "--yes"],
    );
    let took = started.elapsed();
    eprintln!("an upgrade takes {took:?}");
    assert_eq!(done.code, 0, "{}", done.transcript());
    let after = read_tree(&whole_root);
    let original = tempfile::tempdir().expect("scratch folder");
    shop(original.path());
    // From before plinth starts to well after it has finished, in fifty steps of a
    // thirtieth of the run just measured (the machine's speed and load set the span), so
    // some land inside the write.
    let step = took / 30;
    for n in 0..50 {
        let delay = step * n;
        let scratch = tempfile::tempdir().expect("scratch folder");
        let root = scratch.path().join("shop");
        let copied = std::process::Command::new("cp")
            .arg("-a")
            .arg(original.path().join("shop"))
            .arg(&root)
            .status()
            .expect("cp runs");
        assert!(copied.success());
        let mut child = plinth(scratch.path(), &["upgrade", "--path", "shop", "--yes"])
            .env("PLINTH_TEMPLATES", &next.path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("plinth starts");
        std::thread::sleep(delay);
        // Ctrl-C and SIGTERM in turn. (A shell starting a background job makes it ignore
        // SIGINT until plinth watches for it: SIGTERM then still lands early.)
        let signal = if n % 2 == 0 { "-INT" } else { "-TERM" };
        let _ = std::process::Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status();
        child.wait().expect("plinth ends");
        let left = read_tree(&root);
        if left == before {
            before_seen += 1;
        } else if left == after {
            after_seen += 1;
            // The base moved with the files.
            let repository = Repository::open(&root).expect("repository");
            let base = repository
                .revparse_single("refs/plinth/base:static/style.css")
                .expect("the base has style.css")
                .peel_to_blob()
                .expect("a blob");
            assert_eq!(base.content(), &after["static/style.css"][..]);
        } else {
            let differing: Vec<&String> = left
                .keys()
                .chain(after.keys())
                .filter(|path| left.get(*path) != after.get(*path))
                .collect();
            panic!("after {delay:?} an interrupt left a half-upgraded project: {differing:?}");
        }
    }
    eprintln!("as it was: {before_seen}, upgraded: {after_seen}");
    assert!(
        before_seen > 0 && after_seen > 0,
        "the delays must span the whole run"
    );
}

#[test]
fn steps_move_a_file_with_the_users_changes_and_rename_a_setting() {
    let scratch = tempfile::tempdir().expect("scratch folder");
    let root = shop_without_git(scratch.path());
    // As an older plinth made it: the steps below are for projects made before 0.1.0.
    for manifest in ["Cargo.toml", ".plinth/base/Cargo.toml"] {
        edit(
            &root,
            manifest,
            "version = \"0.1.0\"\nstyle",
            "version = \"0.0.9\"\nstyle",
        );
    }
    edit(&root, "templates/errors/404.html", "", "{# My note. #}\n");
    let secret = read(&root, ".env")
        .lines()
        .find_map(|line| line.strip_prefix("SECRET_KEY=").map(str::to_owned))
        .expect("a secret");

    let next = tempfile::tempdir().expect("scratch folder");
    let templates = next.path().join("templates");
    common::copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"),
        &templates,
    );
    let old_page = templates.join("full/files/templates/errors/404.html");
    let page = fs::read_to_string(&old_page).expect("404.html");
    fs::remove_file(&old_page).expect("move");
    fs::write(
        templates.join("full/files/templates/errors/not_found.html"),
        page.replacen("</", "<!-- moved --></", 1),
    )
    .expect("write");
    change(
        &templates,
        "features/csrf/files/dot_env.hbs",
        "SECRET_KEY=",
        "APP_SECRET=",
    );
    fs::create_dir_all(templates.join("upgrade")).expect("mkdir");
    fs::write(
        templates.join("upgrade/steps.toml"),
        "[[steps]]\nsince = \"0.1.0\"\nwhy = \"pages are named for what they say\"\nmove = { from = \"templates/errors/404.html\", to = \"templates/errors/not_found.html\" }\n\n[[steps]]\nsince = \"0.1.0\"\nwhy = \"one name for the key\"\nrename_setting = { from = \"SECRET_KEY\", to = \"APP_SECRET\" }\n",
    )
    .expect("write");

    let upgraded = run_with(
        scratch.path(),
        Some(&templates),
        &["upgrade", "--path", "shop", "--yes"],
    );
    let out = upgraded.transcript();
    assert_eq!(upgraded.code, 0, "{out}");
    assert!(
        out.contains("Stepped moved templates/errors/404.html to templates/errors/not_found.html (plinth 0.1.0: pages are named for what they say)"),
        "{out}"
    );
    assert!(!root.join("templates/errors/404.html").exists());
    let moved = read(&root, "templates/errors/not_found.html");
    assert!(
        moved.starts_with("{# My note. #}\n") && moved.contains("<!-- moved -->"),
        "{moved}"
    );
    let env = read(&root, ".env");
    assert!(env.contains(&format!("APP_SECRET={secret}\n")), "{env}");
    assert!(!env.contains("SECRET_KEY="), "{env}");
    assert!(read(&root, "Cargo.toml").contains("version = \"0.1.0\"\nstyle"));

    // Done: a second run finds nothing to do.
    let again = run_with(
        scratch.path(),
        Some(&templates),
        &["upgrade", "--path", "shop", "--check"],
    );
    assert_eq!(again.code, 0, "{}", again.transcript());
}

#[test]
fn a_clone_without_plinths_ref_upgrades_from_the_table() {
    let scratch = tempfile::tempdir().expect("scratch folder");
    let origin = shop(scratch.path());
    let clone = scratch.path().join("clone");
    git2::Repository::clone(origin.to_str().expect("utf-8 path"), &clone).expect("clones");
    assert!(
        Repository::open(&clone)
            .expect("repository")
            .find_reference("refs/plinth/base")
            .is_err(),
        "a clone does not fetch plinth's ref"
    );
    edit(
        &clone,
        "src/views/home.rs",
        "//! The home page",
        "//! My shop's home page",
    );
    let config = read(&clone, "src/config.rs") + "// Mine.\n";
    fs::write(clone.join("src/config.rs"), &config).expect("write");
    commit_all(&clone, "Mine");
    let next = next_templates();

    let upgraded = run_with(
        scratch.path(),
        Some(&next.path),
        &["upgrade", "--path", "clone", "--yes"],
    );
    let out = upgraded.transcript();
    says(&out, "note: only the table of the base is here");
    // A file the clone never changed is known by its id, and replaced.
    says(&out, "Replaced static/style.css");
    // One it changed that plinth did not: the table's id is plinth's new version's.
    assert_eq!(read(&clone, "src/config.rs"), config);
    // One both changed has no base to merge from: both versions are marked.
    assert_eq!(upgraded.code, 1, "{out}");
    says(&out, "`src/views/home.rs`");
    let home = read(&clone, "src/views/home.rs");
    says(&home, "<<<<<<< your project");
    // The next upgrade has a base again: the one this upgrade recorded.
    let repository = Repository::open(&clone).expect("repository");
    let base = repository
        .revparse_single("refs/plinth/base:static/style.css")
        .expect("a base with style.css")
        .peel_to_blob()
        .expect("a blob");
    assert_eq!(base.content(), read(&clone, "static/style.css").as_bytes());
}
