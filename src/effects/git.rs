//! The only module that speaks git (through libgit2): a new project gets a
//! repository on branch `main` with one commit of every file its
//! `.gitignore` lets through.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use git2::{FileMode, ObjectType, Oid, Repository, RepositoryInitOptions, Signature};

mod pack;

/// The branch a new repository starts on.
const MAIN: &str = "refs/heads/main";

/// The priority of the in-memory object store of a new repository: above libgit2's own
/// (loose objects 1, packs 2), so objects are made there first.
const IN_MEMORY_FIRST: i32 = 1000;

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

/// Creates a repository at `root` on branch `main` and commits `files` (the project just
/// written there, by path), but those its `.gitignore` keeps out.
///
/// Each blob is made from the rendered text (no file is read back), the trees and the
/// commit in memory, then all are written as one pack (`pack`) instead of a
/// loose file each; the index is read from the commit's tree: libgit2's `add_all` would
/// stat and resolve each path several times.
pub fn init_and_commit<'a>(
    root: &Path,
    files: impl Iterator<Item = (&'a Path, &'a [u8])>,
    message: &str,
) -> Result<(), git2::Error> {
    // Each tree entry is a blob written just before: checking that it exists would only
    // read it back. (A setting of the whole process, which makes no other repository.)
    git2::opts::strict_object_creation(false);
    let mut options = RepositoryInitOptions::new();
    // No copy of the system's sample hooks (`git init` copies a dozen files nobody runs).
    options.initial_head(MAIN).external_template(false);
    let repository = Repository::init_opts(root, &options)?;
    let odb = repository.odb()?;
    // Objects are made in memory (this backend comes first), then packed.
    let memory = odb.add_new_mempack_backend(IN_MEMORY_FIRST)?;
    let mut made = Vec::new();
    let mut folders = Folder::default();
    for (path, contents) in files {
        if repository.is_path_ignored(path)? {
            continue;
        }
        let oid = odb.write(ObjectType::Blob, contents)?;
        made.push(oid);
        folders.insert(path, oid);
    }
    let tree = repository.find_tree(folders.write(&repository, &mut made)?)?;
    let signature = signature(&repository)?;
    let commit = repository.commit(None, &signature, &signature, message, &tree, &[])?;
    made.push(commit);
    pack::write(&odb, &made)?;
    memory.reset()?;
    // The branch, then plinth's base (`effects::base`), once the objects are on disk.
    repository.reference(MAIN, commit, false, message)?;
    repository.reference(BASE_REF, commit, false, message)?;
    let mut index = repository.index()?;
    index.read_tree(&tree)?;
    index.write()?;
    Ok(())
}

/// Where a project keeps its base (see `effects::base`): a ref of plinth's own, which no
/// branch, index or work tree sees.
pub const BASE_REF: &str = "refs/plinth/base";

/// The git id of a file with these contents, as `git hash-object` gives it.
pub fn blob_id(contents: &[u8]) -> Result<String, git2::Error> {
    Ok(Oid::hash_object(ObjectType::Blob, contents)?.to_string())
}

/// The project's base, from the repository at `root`: `None` when there is no repository
/// or it has no base (a project made without git, or a clone: refs of plinth's are not
/// fetched).
#[must_use]
pub fn read_base(root: &Path) -> Option<Vec<(PathBuf, Vec<u8>)>> {
    let repository = Repository::open(root).ok()?;
    let tree = repository
        .find_reference(BASE_REF)
        .ok()?
        .peel_to_tree()
        .ok()?;
    let mut files = Vec::new();
    let mut failed = false;
    tree.walk(git2::TreeWalkMode::PreOrder, |folder, entry| {
        if entry.kind() == Some(ObjectType::Blob) {
            let path = Path::new(folder).join(entry.name().unwrap_or_default());
            match entry
                .to_object(&repository)
                .and_then(|object| object.peel_to_blob())
            {
                Ok(blob) => files.push((path, blob.content().to_vec())),
                Err(_) => failed = true,
            }
        }
        git2::TreeWalkResult::Ok
    })
    .ok()?;
    (!failed).then_some(files)
}

/// Records `files` as the project's new base: a commit on [`BASE_REF`] over the one
/// before, which touches no branch, no index and no file of the work tree.
pub fn record_base<'a>(
    root: &Path,
    files: impl Iterator<Item = (&'a Path, &'a [u8])>,
    message: &str,
) -> Result<(), git2::Error> {
    let repository = Repository::open(root)?;
    let odb = repository.odb()?;
    let mut folders = Folder::default();
    for (path, contents) in files {
        folders.insert(path, odb.write(ObjectType::Blob, contents)?);
    }
    let tree = repository.find_tree(folders.write(&repository, &mut Vec::new())?)?;
    let parent = repository
        .find_reference(BASE_REF)
        .ok()
        .and_then(|reference| reference.peel_to_commit().ok());
    let signature = signature(&repository)?;
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    repository.commit(
        Some(BASE_REF),
        &signature,
        &signature,
        message,
        &tree,
        &parents,
    )?;
    Ok(())
}

/// The files of the repository at `root` whose changes are not committed (staged or
/// not; untracked files are the user's own and do not count): `None` when `root` is no
/// repository's work tree.
pub fn uncommitted(root: &Path) -> Result<Option<Vec<PathBuf>>, git2::Error> {
    let Ok(repository) = Repository::open(root) else {
        return Ok(None);
    };
    let mut options = git2::StatusOptions::new();
    options.include_untracked(false).include_ignored(false);
    let statuses = repository.statuses(Some(&mut options))?;
    Ok(Some(
        statuses
            .iter()
            .filter(|entry| entry.status() != git2::Status::CURRENT)
            .filter_map(|entry| entry.path().ok().map(PathBuf::from))
            .collect(),
    ))
}

/// Whether `root` is the top of a git work tree.
#[must_use]
pub fn is_repository(root: &Path) -> bool {
    Repository::open(root).is_ok()
}

/// The user's git identity, or plinth's when none is configured (CI, containers).
fn signature(repository: &Repository) -> Result<Signature<'static>, git2::Error> {
    repository
        .signature()
        .or_else(|_| Signature::now(FALLBACK_NAME, FALLBACK_EMAIL))
}

/// A folder of the commit being made: its files' blobs and its subfolders, by name.
#[derive(Default)]
struct Folder {
    files: BTreeMap<String, Oid>,
    folders: BTreeMap<String, Folder>,
}

impl Folder {
    fn insert(&mut self, path: &Path, oid: Oid) {
        let mut names: Vec<String> = path
            .iter()
            .map(|name| name.to_string_lossy().into_owned())
            .collect();
        let Some(file) = names.pop() else { return };
        let mut folder = self;
        for name in names {
            folder = folder.folders.entry(name).or_default();
        }
        folder.files.insert(file, oid);
    }

    /// Writes this folder's tree, its subfolders' first, adding each tree's id to `made`.
    fn write(&self, repository: &Repository, made: &mut Vec<Oid>) -> Result<Oid, git2::Error> {
        let mut builder = repository.treebuilder(None)?;
        for (name, folder) in &self.folders {
            let tree = folder.write(repository, made)?;
            builder.insert(name, tree, FileMode::Tree.into())?;
        }
        for (name, oid) in &self.files {
            builder.insert(name, *oid, FileMode::Blob.into())?;
        }
        let tree = builder.write()?;
        made.push(tree);
        Ok(tree)
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use std::path::Path;

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
        // The same contents twice: one object, packed once.
        fs::write(root.join("src/copy.rs"), "fn main() {}\n").expect("write");
        let files = [
            (Path::new(".gitignore"), &b".env\n"[..]),
            (Path::new(".env"), b"SECRET_KEY=x\n"),
            (Path::new("src/copy.rs"), b"fn main() {}\n"),
            (Path::new("src/main.rs"), b"fn main() {}\n"),
        ];
        init_and_commit(root, files.into_iter(), "Initial commit").expect("committed");

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
