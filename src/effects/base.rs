//! A project's base: the files plinth generated for it, as it generated them, which
//! `plinth upgrade` is to merge from (base, yours, new). With git it is recorded twice:
//!
//! - a commit of those files on `refs/plinth/base` (`git::BASE_REF`), made with the first
//!   commit and then by each `plinth add` over the one before; no branch, index or work
//!   tree sees it;
//! - `.plinth/base.toml` in the project: each file's git blob id, so that a clone, which
//!   does not fetch refs of plinth's, still tells a file the user never changed by its
//!   contents alone.
//!
//! `.env`, which holds the secret key, is never part of it. A project made without git
//! has no base yet, and `plinth add` leaves a project without one as it is.

use std::fmt::Write as _;
use std::path::Path;

use crate::change::draft::Draft;
use crate::change::file_tree::FileTree;
use crate::effects::git;
use crate::effects::report;
use crate::error::Error;

/// The table of the base's files, relative to the project's root.
pub const TABLE: &str = ".plinth/base.toml";

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

/// The project's base once a change is made to it as `change` makes it to the project:
/// `None` when the project has no base. The change runs on the base's files, not on the
/// user's, so what the user changed never enters it.
pub fn grown(
    root: &Path,
    change: impl FnOnce(&mut Draft) -> Result<(), Error>,
) -> Result<Option<FileTree>, Error> {
    let Some(files) = git::read_base(root) else {
        return Ok(None);
    };
    let mut before = FileTree::new();
    for (path, contents) in files {
        before.insert(path, contents);
    }
    let mut draft = Draft::in_memory(&before);
    change(&mut draft)?;
    let mut after = draft.into_tree()?;
    after.insert(TABLE, table(&after)?);
    Ok(Some(after))
}

/// Records `base` as the project's base, for `command`. The project's files are written
/// by then, so a failure is reported, not fatal: the base stays where it was, and an
/// upgrade takes this change for the user's own.
pub fn record(root: &Path, base: &FileTree, command: &str) {
    let message = format!("{command} (plinth {})", crate::VERSION);
    let files = base.iter().filter(|(path, _)| belongs(path));
    if let Err(error) = git::record_base(root, files, &message) {
        report::note(format!(
            "the project's base was not recorded ({}): `plinth upgrade` will take this change for one of yours",
            error.message()
        ));
    }
}

/// Whether a file belongs to the base: all but the secret.
fn belongs(path: &Path) -> bool {
    path != Path::new(".env")
}

/// Whether the table lists a file: all of the base but itself.
fn listed(path: &Path) -> bool {
    belongs(path) && path != Path::new(TABLE)
}
