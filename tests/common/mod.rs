//! Helpers shared by plinth's integration tests: run the real binary in an
//! isolated environment and read back what it wrote.

// Each test binary uses a different subset of these helpers, and they are
// test support: a failed expectation is a failed test.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::expect_used,
    clippy::needless_pass_by_value,
    clippy::format_push_string
)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The outcome of one plinth run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from(output: Output) -> Self {
        Self {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Both streams, for snapshots.
    pub fn transcript(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// A plinth command with no terminal, no colour and a home of its own (so
/// the developer's git identity and configuration never leak in).
pub fn plinth(cwd: &Path, args: &[&str]) -> Command {
    let home = cwd.join(".test-home");
    fs::create_dir_all(&home).expect("home");
    let mut command = Command::new(env!("CARGO_BIN_EXE_plinth"));
    command
        .args(args)
        .current_dir(cwd)
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("NO_COLOR", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .stdin(Stdio::null());
    command
}

/// Runs plinth and collects its output.
pub fn run(cwd: &Path, args: &[&str]) -> Run {
    Run::from(plinth(cwd, args).output().expect("plinth runs"))
}

/// Every file below `root` (skipping `.git` and the test home) with its
/// contents, by relative path.
pub fn read_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in fs::read_dir(&folder).expect("readable") {
            let entry = entry.expect("entry");
            let name = entry.file_name();
            if name == ".git" || name == ".test-home" || name == "target" {
                continue;
            }
            let path = entry.path();
            // The copy of the base a project without git keeps (tests/base.rs reads it).
            if path
                .strip_prefix(root)
                .is_ok_and(|relative| relative == Path::new(".plinth/base"))
            {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path
                    .strip_prefix(root)
                    .expect("inside")
                    .to_string_lossy()
                    .replace('\\', "/");
                files.insert(relative, redact_secrets(fs::read(&path).expect("file")));
            }
        }
    }
    files
}

/// The names in a folder, sorted.
pub fn entries(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(folder)
        .expect("readable")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name != ".test-home")
        .collect();
    names.sort();
    names
}

/// Copies a folder tree.
pub fn copy_tree(from: &Path, to: &Path) {
    for (relative, contents) in read_tree(from) {
        let target = to.join(&relative);
        fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        fs::write(target, contents).expect("write");
    }
}

/// The checked-in micro project that `add` tests start from.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A snapshot-friendly name for a file path.
pub fn snapshot_name(prefix: &str, path: &str) -> String {
    format!("{prefix}__{}", path.replace(['/', '.'], "_"))
}

/// Replaces the value of every `SECRET_KEY=` line: the one output of plinth
/// that is random by design.
pub fn redact_secrets(contents: Vec<u8>) -> Vec<u8> {
    let Ok(text) = String::from_utf8(contents.clone()) else {
        return contents;
    };
    if !text.contains("SECRET_KEY=") {
        return contents;
    }
    text.split_inclusive('\n')
        .map(|line| match line.split_once("SECRET_KEY=") {
            Some((before, value))
                if !value.trim().is_empty()
                    && value.trim().chars().all(|c| c.is_ascii_hexdigit()) =>
            {
                format!(
                    "{before}SECRET_KEY=[REDACTED]{}",
                    if line.ends_with('\n') { "\n" } else { "" }
                )
            }
            _ => line.to_owned(),
        })
        .collect::<String>()
        .into_bytes()
}

/// A file as a snapshot shows it: a Cargo.lock as its packages and versions (what a
/// reviewer checks of it, as `--dry-run` shows it), any other file as its text.
pub fn reviewable(path: &str, contents: &[u8]) -> String {
    let text = String::from_utf8_lossy(contents);
    if path == plinth::change::lockfile::LOCK {
        plinth::change::lockfile::package_list(&text)
    } else {
        text.into_owned()
    }
}

/// What changed between two trees: new files whole, modified ones as diffs.
pub fn describe_changes(
    before: &BTreeMap<String, Vec<u8>>,
    after: &BTreeMap<String, Vec<u8>>,
) -> String {
    let mut out = String::new();
    for (path, contents) in after {
        let text = reviewable(path, contents);
        match before.get(path) {
            None => out.push_str(&format!("=== created {path}\n{text}\n")),
            Some(old) if old != contents => {
                let old = reviewable(path, old);
                let diff = similar::TextDiff::from_lines(&old, &text)
                    .unified_diff()
                    .context_radius(2)
                    .header(path, path)
                    .to_string();
                out.push_str(&format!("=== modified {path}\n{diff}\n"));
            }
            Some(_) => {}
        }
    }
    for path in before.keys().filter(|path| !after.contains_key(*path)) {
        out.push_str(&format!("=== deleted {path}\n"));
    }
    out
}

/// Commits every change of the work tree (deletions too), as a user would between
/// plinth commands.
pub fn commit_all(root: &Path, message: &str) {
    let repository = git2::Repository::open(root).expect("a repository");
    let mut index = repository.index().expect("index");
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .expect("add");
    index.update_all(["*"], None).expect("deletions");
    index.write().expect("write index");
    let tree = repository
        .find_tree(index.write_tree().expect("tree"))
        .expect("tree");
    let signature = git2::Signature::now("user", "user@example.com").expect("signature");
    let parent = repository
        .head()
        .expect("HEAD")
        .peel_to_commit()
        .expect("commit");
    repository
        .commit(
            Some("HEAD"),
            &signature,
            &signature,
            message,
            &tree,
            &[&parent],
        )
        .expect("commit");
}
