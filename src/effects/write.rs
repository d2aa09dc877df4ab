//! The only module that reads and writes whole folders. (Reading a project's single files
//! as a change is computed is the draft's.) A new project is written into a
//! private temporary folder beside the target, finished there (its first commit), and
//! renamed into place, so a failure or an interrupt at any point leaves either nothing
//! or the complete project; a folder a killed run left is removed by the next run.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::change::file_tree::FileTree;
use crate::change::plan::{FileChange, Plan};
use crate::effects::interrupt;
use crate::error::Error;

/// Prefix of the staging folders plinth creates beside a target.
pub const STAGING_PREFIX: &str = ".plinth-";

/// Refuses a target that exists and is a file or a non-empty folder.
pub fn check_target_is_free(target: &Path) -> Result<(), Error> {
    match fs::metadata(target) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(Error::Write {
            path: target.to_path_buf(),
            source,
        }),
        Ok(metadata) if !metadata.is_dir() => Err(Error::TargetIsFile(target.to_path_buf())),
        Ok(_) => {
            let mut entries = fs::read_dir(target).map_err(|source| Error::Write {
                path: target.to_path_buf(),
                source,
            })?;
            if entries.next().is_some() {
                Err(Error::TargetNotEmpty(target.to_path_buf()))
            } else {
                Ok(())
            }
        }
    }
}

/// How old a staging folder must be to count as left by a killed run: no run takes
/// this long, so removing it cannot pull a folder from under a run in progress.
const STALE_AFTER: Duration = Duration::from_secs(10 * 60);

/// Writes `tree` as a new project at `target`, all or nothing; `finish` runs in the
/// staging folder before it becomes `target` (the first commit), and its failure leaves
/// nothing either.
pub fn create_project(
    tree: &FileTree,
    target: &Path,
    finish: impl FnOnce(&Path) -> Result<(), Error>,
) -> Result<(), Error> {
    let watch = interrupt::watch();
    check_target_is_free(target)?;
    let parent = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let created_parents = create_missing_folders(&parent)?;
    let result = stage_and_rename(tree, &parent, target, &watch, finish);
    if result.is_err() {
        // Undo in reverse: the deepest created folder first.
        for folder in created_parents.iter().rev() {
            let _ = fs::remove_dir(folder);
        }
    }
    result
}

/// Creates `folder` and its missing ancestors; returns those it created,
/// outermost first, so a failure can remove exactly them.
fn create_missing_folders(folder: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut missing = Vec::new();
    let mut current = Some(folder);
    while let Some(path) = current {
        if path.as_os_str().is_empty() || path.exists() {
            break;
        }
        missing.push(path.to_path_buf());
        current = path.parent();
    }
    missing.reverse();
    for (index, path) in missing.iter().enumerate() {
        if let Err(source) = fs::create_dir(path) {
            for created in missing[..index].iter().rev() {
                let _ = fs::remove_dir(created);
            }
            return Err(Error::Write {
                path: path.clone(),
                source,
            });
        }
    }
    Ok(missing)
}

fn stage_and_rename(
    tree: &FileTree,
    parent: &Path,
    target: &Path,
    watch: &interrupt::Watch,
    finish: impl FnOnce(&Path) -> Result<(), Error>,
) -> Result<(), Error> {
    // Created private (0700): until the rename, other users cannot read what it holds
    // (`.env` and its secret key), even if a killed run leaves it behind.
    let mut builder = tempfile::Builder::new();
    builder.prefix(STAGING_PREFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o700));
    }
    let staging = builder.tempdir_in(parent).map_err(|source| Error::Write {
        path: parent.to_path_buf(),
        source,
    })?;
    // After an interrupt, each step below is the last: `staging` is dropped, which
    // removes it.
    watch.check()?;
    write_tree(tree, staging.path())?;
    watch.check()?;
    finish(staging.path())?;
    watch.check()?;
    // `rename` refuses a target that became non-empty since the check, so a
    // folder that appeared meanwhile is never clobbered. On error `staging`
    // is dropped, which removes it.
    fs::rename(staging.path(), target).map_err(|source| Error::Write {
        path: target.to_path_buf(),
        source,
    })?;
    let _ = staging.keep();
    open_permissions(target)?;
    // Interrupted during the rename: the project is complete, and plinth still stops.
    watch.check()
}

/// Removes the staging folders in `parent` that runs killed before they could clean up
/// left there (older than [`STALE_AFTER`]); returns them.
#[must_use]
pub fn remove_stale_staging(parent: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(parent) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let is_staging = entry
            .file_name()
            .to_str()
            .is_some_and(|name| name.starts_with(STAGING_PREFIX));
        let stale = entry
            .metadata()
            .ok()
            .filter(std::fs::Metadata::is_dir)
            .and_then(|metadata| metadata.modified().ok())
            .and_then(|modified| modified.elapsed().ok())
            .is_some_and(|age| age > STALE_AFTER);
        if is_staging && stale && fs::remove_dir_all(entry.path()).is_ok() {
            removed.push(entry.path());
        }
    }
    removed
}

/// Writes every file of `tree` below `root`, making each folder once rather than asking
/// the file system again for every file in it.
/// Writes every file of `tree` below `root`, making the folders they need.
pub fn write_tree(tree: &FileTree, root: &Path) -> Result<(), Error> {
    let mut made = std::collections::HashSet::new();
    for (relative, contents) in tree.iter() {
        let path = root.join(relative);
        if let Some(folder) = path.parent()
            && !made.contains(folder)
        {
            fs::create_dir_all(folder).map_err(|source| Error::Write {
                path: folder.to_path_buf(),
                source,
            })?;
            made.insert(folder.to_path_buf());
        }
        fs::write(&path, contents).map_err(|source| Error::Write {
            path: relative.to_path_buf(),
            source,
        })?;
    }
    Ok(())
}

/// Every file below `root`, by its path relative to `root`, but what is below the
/// top-level entries named in `skip` (`target`, `.git`).
pub fn read_tree(root: &Path, skip: &[&str]) -> Result<FileTree, Error> {
    let failed = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Write { path, source }
    };
    let mut tree = FileTree::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let folder = if relative.as_os_str().is_empty() {
            root.to_path_buf()
        } else {
            root.join(&relative)
        };
        for entry in fs::read_dir(&folder).map_err(failed(&folder))? {
            let entry = entry.map_err(failed(&folder))?;
            let path = relative.join(entry.file_name());
            if relative.as_os_str().is_empty() && skip.iter().any(|name| entry.file_name() == *name)
            {
                continue;
            }
            if entry.file_type().map_err(failed(&entry.path()))?.is_dir() {
                pending.push(path);
            } else {
                tree.insert(path, fs::read(entry.path()).map_err(failed(&entry.path()))?);
            }
        }
    }
    Ok(tree)
}

/// The staging folder was private; the project, once in place, gets the usual
/// permissions.
#[cfg(unix)]
fn open_permissions(folder: &Path) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(folder, fs::Permissions::from_mode(0o755)).map_err(|source| Error::Write {
        path: folder.to_path_buf(),
        source,
    })
}

#[cfg(not(unix))]
fn open_permissions(_folder: &Path) -> Result<(), Error> {
    Ok(())
}

/// Applies the changes of `plan` to the project at `root`, all or nothing:
/// every new content is first written to a temporary file beside its
/// target, and only when all are written are they renamed into place (and the
/// deleted files removed, with the folders they leave empty). If a rename fails,
/// the files already replaced get their old contents back.
pub fn apply_changes(root: &Path, plan: &Plan) -> Result<(), Error> {
    // An interrupt while staging stops before the first rename and leaves the project as
    // it was; one during the renames, which take no time, lets them finish.
    let watch = interrupt::watch();
    let changes: Vec<&FileChange> = plan.effective().collect();
    let mut created_folders = Vec::new();
    let mut staged = Vec::new();
    let result = stage_changes(root, &changes, &mut created_folders, &mut staged, &watch)
        .and_then(|()| commit_staged(root, &changes, staged));
    if result.is_err() {
        for folder in created_folders.iter().rev() {
            let _ = fs::remove_dir(folder);
        }
    }
    result
}

fn stage_changes(
    root: &Path,
    changes: &[&FileChange],
    created_folders: &mut Vec<PathBuf>,
    staged: &mut Vec<tempfile::NamedTempFile>,
    watch: &interrupt::Watch,
) -> Result<(), Error> {
    for change in changes {
        watch.check()?;
        let path = root.join(&change.path);
        let folder = path.parent().unwrap_or(root);
        created_folders.extend(create_missing_folders(folder)?);
        let mut file = tempfile::Builder::new()
            .prefix(STAGING_PREFIX)
            .tempfile_in(folder)
            .map_err(|source| Error::Write {
                path: change.path.clone(),
                source,
            })?;
        // A file deleted is replaced by nothing when the rest is in place.
        let after = change.after.as_deref().unwrap_or_default();
        std::io::Write::write_all(&mut file, after).map_err(|source| Error::Write {
            path: change.path.clone(),
            source,
        })?;
        keep_permissions(&path, file.path()).map_err(|source| Error::Write {
            path: change.path.clone(),
            source,
        })?;
        staged.push(file);
    }
    watch.check()
}

fn commit_staged(
    root: &Path,
    changes: &[&FileChange],
    staged: Vec<tempfile::NamedTempFile>,
) -> Result<(), Error> {
    for (done, (change, file)) in changes.iter().zip(staged).enumerate() {
        let path = root.join(&change.path);
        let result = if change.after.is_some() {
            file.persist(&path).map(drop).map_err(|error| error.error)
        } else {
            // The staged file was only there to prove the folder writable.
            drop(file);
            fs::remove_file(&path)
        };
        if let Err(source) = result {
            restore(root, &changes[..done]);
            return Err(Error::Write {
                path: change.path.clone(),
                source,
            });
        }
    }
    for change in changes.iter().filter(|change| change.after.is_none()) {
        // Each folder the deletion left empty goes too; the first that is not stops it.
        for folder in change.path.ancestors().skip(1) {
            if folder.as_os_str().is_empty() || fs::remove_dir(root.join(folder)).is_err() {
                break;
            }
        }
    }
    Ok(())
}

/// Puts back what `changes` replaced, after a failure part way.
fn restore(root: &Path, changes: &[&FileChange]) {
    for change in changes {
        let path = root.join(&change.path);
        let _ = match &change.before {
            Some(before) => fs::write(&path, before),
            None => fs::remove_file(&path),
        };
    }
}

/// A replaced file keeps its permissions; a new one gets the usual 0644
/// rather than the 0600 of a temporary file.
#[cfg(unix)]
fn keep_permissions(target: &Path, staged: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let permissions = match fs::metadata(target) {
        Ok(metadata) => metadata.permissions(),
        Err(_) => fs::Permissions::from_mode(0o644),
    };
    fs::set_permissions(staged, permissions)
}

#[cfg(not(unix))]
fn keep_permissions(_target: &Path, _staged: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::Path;

    use super::{
        Duration, STAGING_PREFIX, STALE_AFTER, apply_changes, create_project, remove_stale_staging,
    };
    use crate::change::file_tree::FileTree;
    use crate::change::plan::{FileChange, Plan};
    use crate::error::Error;

    /// The names in `folder`, sorted.
    fn leftovers(folder: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(folder)
            .expect("readable")
            .map(|entry| {
                entry
                    .expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }

    fn sample() -> FileTree {
        let mut tree = FileTree::new();
        tree.insert("Cargo.toml", "[package]\n");
        tree.insert("src/main.rs", "fn main() {}\n");
        tree
    }

    #[test]
    fn a_project_is_written_with_every_file_and_nothing_else_beside_it() {
        let scratch = tempfile::tempdir().expect("tempdir");
        let target = scratch.path().join("apps/blog");
        create_project(&sample(), &target, |_| Ok(())).expect("written");
        assert_eq!(
            fs::read_to_string(target.join("src/main.rs")).expect("file"),
            "fn main() {}\n"
        );
        assert_eq!(leftovers(&scratch.path().join("apps")), ["blog"]);
    }

    #[test]
    fn a_failed_finish_leaves_nothing_and_the_staging_folder_is_private_until_then() {
        let scratch = tempfile::tempdir().expect("tempdir");
        let target = scratch.path().join("blog");
        let error = create_project(&sample(), &target, |staging| {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = fs::metadata(staging).expect("staging").permissions().mode();
                assert_eq!(mode & 0o077, 0, "readable by others: {mode:o}");
            }
            assert!(staging.join("Cargo.toml").is_file());
            Err(Error::Git("disk full".to_owned()))
        })
        .expect_err("fails");
        assert!(matches!(error, Error::Git(_)));
        assert!(leftovers(scratch.path()).is_empty());
    }

    #[test]
    fn only_staging_folders_old_enough_to_be_left_by_a_killed_run_are_removed() {
        let scratch = tempfile::tempdir().expect("tempdir");
        let old = scratch.path().join(format!("{STAGING_PREFIX}killed"));
        let fresh = scratch.path().join(format!("{STAGING_PREFIX}running"));
        let mine = scratch.path().join("project");
        for folder in [&old, &fresh, &mine] {
            fs::create_dir(folder).expect("mkdir");
        }
        let long_ago = std::time::SystemTime::now() - STALE_AFTER - Duration::from_secs(60);
        fs::File::open(&old)
            .expect("open")
            .set_modified(long_ago)
            .expect("age");
        assert_eq!(
            remove_stale_staging(scratch.path()),
            std::slice::from_ref(&old)
        );
        assert!(!old.exists());
        assert!(fresh.exists() && mine.exists());
    }

    #[test]
    fn an_empty_target_folder_is_used() {
        let scratch = tempfile::tempdir().expect("tempdir");
        let target = scratch.path().join("blog");
        fs::create_dir(&target).expect("mkdir");
        create_project(&sample(), &target, |_| Ok(())).expect("written");
        assert!(target.join("Cargo.toml").is_file());
    }

    #[test]
    fn a_non_empty_target_is_refused_and_left_untouched() {
        let scratch = tempfile::tempdir().expect("tempdir");
        let target = scratch.path().join("blog");
        fs::create_dir(&target).expect("mkdir");
        fs::write(target.join("notes.txt"), "mine").expect("write");
        let error = create_project(&sample(), &target, |_| Ok(())).expect_err("refused");
        assert!(matches!(error, Error::TargetNotEmpty(_)));
        assert_eq!(leftovers(&target), ["notes.txt"]);
        assert_eq!(leftovers(scratch.path()), ["blog"]);
    }

    #[test]
    fn a_failure_midway_leaves_neither_target_nor_staging_nor_new_parents() {
        let scratch = tempfile::tempdir().expect("tempdir");
        let target = scratch.path().join("deep/er/blog");
        // `a` as a file and `a/b` below it cannot both be written: the write
        // fails after the first files are already in the staging folder.
        let mut tree = sample();
        tree.insert("a", "file");
        tree.insert("a/b", "below a file");
        let error = create_project(&tree, &target, |_| Ok(())).expect_err("fails");
        assert!(matches!(error, Error::Write { .. }));
        assert!(
            leftovers(scratch.path()).is_empty(),
            "left: {:?}",
            leftovers(scratch.path())
        );
    }

    #[test]
    fn changes_replace_and_create_files_and_leave_no_temporary_file() {
        let scratch = tempfile::tempdir().expect("tempdir");
        fs::write(scratch.path().join("a.txt"), "old").expect("write");
        let plan = Plan {
            changes: vec![
                FileChange {
                    path: "a.txt".into(),
                    before: Some(b"old".to_vec()),
                    after: Some(b"new".to_vec()),
                },
                FileChange {
                    path: "b/c.txt".into(),
                    before: None,
                    after: Some(b"c".to_vec()),
                },
            ],
            conflicts: Vec::new(),
        };
        apply_changes(scratch.path(), &plan).expect("applied");
        assert_eq!(
            fs::read_to_string(scratch.path().join("a.txt")).expect("a"),
            "new"
        );
        assert_eq!(
            fs::read_to_string(scratch.path().join("b/c.txt")).expect("c"),
            "c"
        );
        assert_eq!(leftovers(scratch.path()), ["a.txt", "b"]);
    }

    #[test]
    fn a_change_that_cannot_be_staged_changes_nothing() {
        let scratch = tempfile::tempdir().expect("tempdir");
        fs::write(scratch.path().join("a.txt"), "old").expect("write");
        fs::write(
            scratch.path().join("blocker"),
            "a file where a folder must go",
        )
        .expect("write");
        let plan = Plan {
            changes: vec![
                FileChange {
                    path: "a.txt".into(),
                    before: Some(b"old".to_vec()),
                    after: Some(b"new".to_vec()),
                },
                FileChange {
                    path: "blocker/x.txt".into(),
                    before: None,
                    after: Some(b"x".to_vec()),
                },
            ],
            conflicts: Vec::new(),
        };
        apply_changes(scratch.path(), &plan).expect_err("fails");
        assert_eq!(
            fs::read_to_string(scratch.path().join("a.txt")).expect("a"),
            "old"
        );
        assert_eq!(leftovers(scratch.path()), ["a.txt", "blocker"]);
    }

    #[test]
    fn an_unwritable_parent_leaves_nothing_behind() {
        let scratch = tempfile::tempdir().expect("tempdir");
        let parent = scratch.path().join("file-not-folder");
        fs::write(&parent, "x").expect("write");
        let error = create_project(&sample(), &parent.join("blog"), |_| Ok(())).expect_err("fails");
        assert!(matches!(error, Error::Write { .. }));
        assert_eq!(leftovers(scratch.path()), ["file-not-folder"]);
        assert!(
            !leftovers(scratch.path())
                .iter()
                .any(|name| name.starts_with(STAGING_PREFIX))
        );
    }
}
