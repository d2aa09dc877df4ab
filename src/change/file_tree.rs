//! `FileTree`: a project's files held in memory, keyed by their path relative
//! to the project root. Everything plinth writes is computed as one of these
//! first, so a failure never leaves a half-written project.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Files by relative path, in sorted order (which makes output deterministic).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileTree {
    files: BTreeMap<PathBuf, Vec<u8>>,
}

impl FileTree {
    /// An empty tree.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces the file at `path`.
    pub fn insert(&mut self, path: impl Into<PathBuf>, contents: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), contents.into());
    }

    /// Every file, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&Path, &[u8])> {
        self.files
            .iter()
            .map(|(path, contents)| (path.as_path(), contents.as_slice()))
    }

    /// Every file, owned, in path order.
    pub fn into_files(self) -> impl Iterator<Item = (PathBuf, Vec<u8>)> {
        self.files.into_iter()
    }

    /// Takes the file at `path` out, if there is one.
    pub fn remove(&mut self, path: &Path) -> Option<Vec<u8>> {
        self.files.remove(path)
    }

    /// The file at `path`, if there is one.
    #[must_use]
    pub fn get(&self, path: &Path) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// Every path, in order.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.keys().map(PathBuf::as_path)
    }

    /// How many files the tree holds.
    #[must_use]
    pub fn file_count(&self) -> usize {
        self.files.len()
    }
}
