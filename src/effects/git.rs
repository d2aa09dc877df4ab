//! The only module that speaks git (through libgit2): a new project gets a
//! repository on branch `main` with one commit of every file its
//! `.gitignore` lets through.

use std::path::{Path, PathBuf};

use git2::{IndexAddOption, Repository, RepositoryInitOptions, Signature};

/// The author used when no git identity is configured (CI, containers).
const FALLBACK_NAME: &str = "plinth";
const FALLBACK_EMAIL: &str = "plinth@localhost";

/// The work tree that already contains `path`, if any. Like `cargo new`,
/// plinth creates no repository nested in another.
#[must_use]
pub fn enclosing_work_tree(path: &Path) -> Option<PathBuf> {
    let repository = Repository::discover(path).ok()?;
    repository.workdir().map(Path::to_path_buf)
}

/// Creates a repository at `root` on branch `main` and commits every file.
pub fn init_and_commit(root: &Path, message: &str) -> Result<(), git2::Error> {
    let mut options = RepositoryInitOptions::new();
    options.initial_head("main");
    let repository = Repository::init_opts(root, &options)?;
    let mut index = repository.index()?;
    index.add_all(["*"], IndexAddOption::DEFAULT, None)?;
    index.write()?;
    let tree = repository.find_tree(index.write_tree()?)?;
    let signature = match repository.signature() {
        Ok(signature) => signature,
        Err(_) => Signature::now(FALLBACK_NAME, FALLBACK_EMAIL)?,
    };
    repository.commit(Some("HEAD"), &signature, &signature, message, &tree, &[])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::fs;

    use git2::Repository;

    use super::{enclosing_work_tree, init_and_commit};

    #[test]
    fn one_commit_on_main_respecting_the_gitignore() {
        let scratch = tempfile::tempdir().expect("tempdir");
        let root = scratch.path();
        fs::write(root.join(".gitignore"), ".env\n").expect("write");
        fs::write(root.join(".env"), "SECRET_KEY=x\n").expect("write");
        fs::create_dir(root.join("src")).expect("mkdir");
        fs::write(root.join("src/main.rs"), "fn main() {}\n").expect("write");
        init_and_commit(root, "Initial commit").expect("committed");

        let repository = Repository::open(root).expect("repo");
        let head = repository.head().expect("head");
        assert_eq!(head.shorthand().ok(), Some("main"));
        let commit = head.peel_to_commit().expect("commit");
        assert_eq!(commit.message().ok(), Some("Initial commit"));
        assert_eq!(commit.parent_count(), 0);
        let tree = commit.tree().expect("tree");
        assert!(tree.get_path(std::path::Path::new("src/main.rs")).is_ok());
        assert!(
            tree.get_name(".env").is_none(),
            ".env must never be committed"
        );
        // The work tree matches the commit: nothing to add, nothing modified.
        let mut options = git2::StatusOptions::new();
        options.include_untracked(true).include_ignored(false);
        let statuses = repository.statuses(Some(&mut options)).expect("status");
        let changed: Vec<String> = statuses
            .iter()
            .filter_map(|entry| entry.path().ok().map(str::to_owned))
            .collect();
        assert!(changed.is_empty(), "{changed:?}");
        assert_eq!(
            enclosing_work_tree(&root.join("src")).map(|p| p.canonicalize().expect("c")),
            Some(root.canonicalize().expect("c"))
        );
    }
}
