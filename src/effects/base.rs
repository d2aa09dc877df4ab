//! A project's base: the files plinth generated for it, as it generated them, which
//! `plinth upgrade` merges from (base, yours, new). It is kept one of two ways:
//!
//! - with git, a commit of those files on `refs/plinth/base` (`git::BASE_REF`), made with
//!   the first commit and then by each `plinth add` and `plinth upgrade` over the one
//!   before; no branch, index or work tree sees it. Beside it, `.plinth/base.toml` in the
//!   project lists each file's git blob id, so that a clone, which does not fetch refs of
//!   plinth's, still tells a file the user never changed by its contents alone;
//! - without git, a copy of those files in the project's `.plinth/base/`, written with
//!   the rest of each change.
//!
//! `.env`, which holds the secret key, is never part of it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::change::draft::Draft;
use crate::change::file_tree::FileTree;
use crate::effects::git;
use crate::effects::report;
use crate::effects::write;
use crate::error::{Conflict, Error};

/// The table of the base's files, relative to the project's root.
pub const TABLE: &str = ".plinth/base.toml";

/// The folder of plinth's own bookkeeping in a project: the table or the copy of the base.
pub const FOLDER_ROOT: &str = ".plinth";

/// The project's settings and secrets (`.env`), never part of a base.
pub const ENV: &str = ".env";

/// The folder a project without git keeps its base in.
pub const FOLDER: &str = ".plinth/base";

/// Where a project keeps its base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keeping {
    /// On `refs/plinth/base`, with the table.
    Git,
    /// In `.plinth/base/`.
    Folder,
}

/// A base about to be recorded, and where.
#[derive(Debug)]
pub struct Base {
    /// Its files (the table among them when kept in git).
    pub files: FileTree,
    /// Where it goes.
    pub keeping: Keeping,
}

/// The table of `tree`'s files that belong to a base (all but `.env`), but itself.
pub fn table(tree: &FileTree) -> Result<String, Error> {
    let mut table = String::from(
        "# The files plinth generated for this project, as it generated them: the base\n\
         # `plinth upgrade` merges from. Each file's git blob id; written by plinth.\n\
         \n[files]\n",
    );
    for (path, contents) in tree.iter().filter(|(path, _)| listed(path)) {
        let id = git::blob_id(contents).map_err(|error| Error::Git(error.message().to_owned()))?;
        let key = toml_edit::Value::from(path.to_string_lossy().as_ref()).to_string();
        let _ = writeln!(table, "{key} = \"{id}\"");
    }
    Ok(table)
}

/// The blob ids a table lists, by path; `None` when the text is no table of plinth's.
#[must_use]
pub fn read_table(text: &str) -> Option<BTreeMap<PathBuf, String>> {
    let document = text.parse::<toml_edit::DocumentMut>().ok()?;
    let files = document.get("files")?.as_table()?;
    Some(
        files
            .iter()
            .filter_map(|(path, id)| Some((PathBuf::from(path), id.as_str()?.to_owned())))
            .collect(),
    )
}

/// A new project's tree with its first base: the table when git will commit it, the
/// copy in `.plinth/base/` when the project has no repository.
pub fn start(tree: &mut FileTree, keeping: Keeping) -> Result<(), Error> {
    match keeping {
        Keeping::Git => tree.insert(TABLE, table(tree)?),
        Keeping::Folder => {
            let copies: Vec<(PathBuf, Vec<u8>)> = tree
                .iter()
                .filter(|(path, _)| belongs(path))
                .map(|(path, contents)| (Path::new(FOLDER).join(path), contents.to_vec()))
                .collect();
            for (path, contents) in copies {
                tree.insert(path, contents);
            }
        }
    }
    Ok(())
}

/// The project's base and where it is kept: `None` when it has none (made by a plinth
/// that recorded none, or a clone, which lacks plinth's ref).
#[must_use]
pub fn read(root: &Path) -> Option<(FileTree, Keeping)> {
    if let Some(files) = git::read_base(root) {
        let mut tree = FileTree::new();
        for (path, contents) in files {
            tree.insert(path, contents);
        }
        return Some((tree, Keeping::Git));
    }
    read_folder(&root.join(FOLDER)).map(|tree| (tree, Keeping::Folder))
}

fn read_folder(folder: &Path) -> Option<FileTree> {
    write::read_tree(folder, &[]).ok()
}

/// The project's base once a change is made to it as `change` makes it to the project:
/// `None` when the project has no base. The change runs on the base's files, not on the
/// user's, so what the user changed never enters it. A conflict there is in code plinth
/// generated, so an older plinth generated it: [`Error::Outdated`], whose remedy is
/// `plinth upgrade`, not an edit by hand.
pub fn grown(
    root: &Path,
    change: impl FnOnce(&mut Draft) -> Result<(), Error>,
) -> Result<Option<Base>, Error> {
    let Some((mut before, keeping)) = read(root) else {
        return Ok(None);
    };
    // `.env` is never kept, but features edit it: the change edits the project's, and the
    // result leaves it out again.
    if let Ok(env) = std::fs::read(root.join(ENV)) {
        before.insert(ENV, env);
    }
    let mut draft = Draft::in_memory(&before);
    change(&mut draft)?;
    let files = draft.into_tree().map_err(|err| match err {
        Error::Conflicts(conflicts) => Error::Outdated(
            conflicts
                .into_iter()
                .map(|conflict| Conflict {
                    reason: OLDER.to_owned(),
                    by_hand: None,
                    ..conflict
                })
                .collect(),
        ),
        other => other,
    })?;
    Ok(Some(made(files, keeping)?))
}

/// Why a change does not fit a file of the base.
const OLDER: &str = "an older plinth generated it without what this change expects";

/// `files`, just generated, as the base to keep the way the project keeps its base.
pub fn made(mut files: FileTree, keeping: Keeping) -> Result<Base, Error> {
    files.remove(Path::new(ENV));
    if keeping == Keeping::Git {
        files.insert(TABLE, table(&files)?);
    } else {
        files.remove(Path::new(TABLE));
    }
    Ok(Base { files, keeping })
}

impl Base {
    /// Puts what the project itself holds of the base into `draft`, to be written with
    /// the change: the table, or the folder's copy (less the files gone from the base).
    pub fn stage(&self, draft: &mut Draft, root: &Path) -> Result<(), Error> {
        match self.keeping {
            Keeping::Git => {
                let table = Path::new(TABLE);
                draft.write(table, self.files.get(table).unwrap_or_default())?;
            }
            Keeping::Folder => {
                // A table from when the project had git is stale once the folder is kept.
                draft.remove(Path::new(TABLE))?;
                let folder = Path::new(FOLDER);
                let before = read_folder(&root.join(folder)).unwrap_or_default();
                for path in before.paths() {
                    if self.files.get(path).is_none() {
                        draft.remove(&folder.join(path))?;
                    }
                }
                for (path, contents) in self.files.iter() {
                    draft.write(&folder.join(path), contents)?;
                }
            }
        }
        Ok(())
    }

    /// Records the base after the project's files are written, for `command`: the commit
    /// on plinth's ref (the folder was written with the files). A failure is reported,
    /// not fatal: the base stays where it was, and an upgrade takes this change for the
    /// user's own.
    pub fn record(&self, root: &Path, command: &str) {
        if self.keeping == Keeping::Folder {
            return;
        }
        let message = format!("{command} (plinth {})", crate::VERSION);
        if let Err(error) = git::record_base(root, self.files.iter(), &message) {
            report::note(format!(
                "the project's base was not recorded ({}): `plinth upgrade` will take this change for one of yours",
                error.message()
            ));
        }
    }
}

/// Whether a file belongs to the base: all but the secret and the base's own copy.
fn belongs(path: &Path) -> bool {
    path != Path::new(ENV) && !path.starts_with(FOLDER)
}

/// Whether the table lists a file: all of the base but itself.
fn listed(path: &Path) -> bool {
    belongs(path) && path != Path::new(TABLE)
}
