//! `Draft`: a project's files as a change is being computed. Reads come from
//! the disk (or from a tree held in memory for a project not yet written);
//! writes stay in memory until the whole change is known to be safe.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::change::file_tree::FileTree;
use crate::change::plan::{FileChange, Plan};
use crate::error::Conflict;
use crate::error::Error;

/// A project being changed, in memory.
#[derive(Debug)]
pub struct Draft {
    /// Where unread files come from; `None` for a project only in memory.
    root: Option<PathBuf>,
    /// Each touched file as it was before, `None` when it did not exist.
    originals: BTreeMap<PathBuf, Option<Vec<u8>>>,
    /// Each touched file as it is now.
    current: BTreeMap<PathBuf, Vec<u8>>,
    conflicts: Vec<Conflict>,
}

impl Draft {
    /// A draft of a project that exists on disk at `root`.
    #[must_use]
    pub fn on_disk(root: &Path) -> Self {
        Self {
            root: Some(root.to_path_buf()),
            originals: BTreeMap::new(),
            current: BTreeMap::new(),
            conflicts: Vec::new(),
        }
    }

    /// A draft of a project not written yet: every file is new.
    #[must_use]
    pub fn in_memory(tree: &FileTree) -> Self {
        let mut draft = Self {
            root: None,
            originals: BTreeMap::new(),
            current: BTreeMap::new(),
            conflicts: Vec::new(),
        };
        for (path, contents) in tree.iter() {
            draft.originals.insert(path.to_path_buf(), None);
            draft.current.insert(path.to_path_buf(), contents.to_vec());
        }
        draft
    }

    /// Whether the files are a user's project on disk, whose markers may have moved, so
    /// that each edit of its Rust must be checked to parse. A project rendered in memory
    /// holds only plinth's own code, which the test of every state compiles; checking it
    /// would triple the time `plinth new` takes.
    #[must_use]
    pub fn holds_users_code(&self) -> bool {
        self.root.is_some()
    }

    /// The file's current contents, `None` if it does not exist.
    pub fn read(&mut self, path: &Path) -> Result<Option<&[u8]>, Error> {
        if !self.originals.contains_key(path) {
            let original = match &self.root {
                None => None,
                Some(root) => match fs::read(root.join(path)) {
                    Ok(contents) => Some(contents),
                    Err(error) if error.kind() == io::ErrorKind::NotFound => None,
                    Err(source) => {
                        return Err(Error::Write {
                            path: path.to_path_buf(),
                            source,
                        });
                    }
                },
            };
            if let Some(contents) = &original {
                self.current.insert(path.to_path_buf(), contents.clone());
            }
            self.originals.insert(path.to_path_buf(), original);
        }
        Ok(self.current.get(path).map(Vec::as_slice))
    }

    /// The file's current contents as text; a binary file counts as missing
    /// for the edits, which then report it.
    pub fn read_text(&mut self, path: &Path) -> Result<Option<String>, Error> {
        Ok(self
            .read(path)?
            .and_then(|bytes| String::from_utf8(bytes.to_vec()).ok()))
    }

    /// The file as it was before this change: `None` if it did not exist or has not been
    /// read.
    #[must_use]
    pub fn original(&self, path: &Path) -> Option<&[u8]> {
        self.originals.get(path)?.as_deref()
    }

    /// Replaces (or creates) the file.
    pub fn write(&mut self, path: &Path, contents: impl Into<Vec<u8>>) -> Result<(), Error> {
        self.read(path)?;
        self.current.insert(path.to_path_buf(), contents.into());
        Ok(())
    }

    /// Deletes the file (nothing when it does not exist).
    pub fn remove(&mut self, path: &Path) -> Result<(), Error> {
        self.read(path)?;
        self.current.remove(path);
        Ok(())
    }

    /// The names of the files directly in `folder`: those on disk and those the draft
    /// has created. (Only `plinth upgrade` deletes, and it lists no folder.)
    pub fn file_names(&self, folder: &Path) -> Result<Vec<String>, Error> {
        let mut names = std::collections::BTreeSet::new();
        if let Some(root) = &self.root {
            match fs::read_dir(root.join(folder)) {
                Ok(entries) => {
                    for entry in entries.flatten() {
                        if entry.file_type().is_ok_and(|kind| kind.is_file()) {
                            names.insert(entry.file_name().to_string_lossy().into_owned());
                        }
                    }
                }
                Err(error) if error.kind() == io::ErrorKind::NotFound => {}
                Err(source) => {
                    return Err(Error::Write {
                        path: folder.to_path_buf(),
                        source,
                    });
                }
            }
        }
        for path in self.current.keys() {
            if path.parent() == Some(folder)
                && let Some(name) = path.file_name()
            {
                names.insert(name.to_string_lossy().into_owned());
            }
        }
        Ok(names.into_iter().collect())
    }

    /// Records a change that cannot be made safely.
    pub fn conflict(&mut self, conflict: Conflict) {
        self.conflicts.push(conflict);
    }

    /// Every file in the draft now, for a project only in memory.
    #[must_use]
    pub fn tree(&self) -> FileTree {
        let mut tree = FileTree::new();
        for (path, contents) in &self.current {
            tree.insert(path.clone(), contents.clone());
        }
        tree
    }

    /// The files as the change leaves them, or every conflict met on the way: for a
    /// project made in memory, where a conflict is plinth's own bug, not the user's.
    pub fn into_tree(self) -> Result<FileTree, Error> {
        let tree = self.tree();
        let plan = self.into_plan();
        if plan.conflicts.is_empty() {
            Ok(tree)
        } else {
            Err(Error::Conflicts(plan.conflicts))
        }
    }

    /// The changes against what was there before, and the conflicts.
    #[must_use]
    pub fn into_plan(self) -> Plan {
        let Self {
            originals,
            mut current,
            conflicts,
            ..
        } = self;
        let changes = originals
            .into_iter()
            .filter_map(|(path, before)| {
                let after = current.remove(&path);
                // A file read while missing and still missing is no change.
                (before.is_some() || after.is_some()).then_some(FileChange {
                    path,
                    before,
                    after,
                })
            })
            .collect();
        Plan { changes, conflicts }
    }
}
