//! What an upgrade does to each file plinth generates, from three versions of it: the
//! base (what plinth generated before), yours (the project's file) and new (what this
//! plinth generates for the same records).
//!
//! - plinth did not change it (base = new): it stays as the project has it;
//! - the project did not change it (yours = base): it becomes new, or goes when plinth
//!   no longer generates it;
//! - both changed it: three-way merged, with conflict markers where the changes overlap,
//!   but for lines both added at a `plinth:` marker, where plinth's edits insert: the
//!   user's are kept, then plinth's, as `plinth add` would have put them;
//! - the project deleted it: it stays deleted (`--restore PATH` brings one back);
//! - plinth no longer generates it but the project changed it: it stays;
//! - a migration is never rewritten nor removed while the project has a database: a
//!   database may have run it. A change to one reaches projects as a new migration.
//!
//! `Cargo.toml` is merged by its keys (`upgrade::manifest`), `Cargo.lock` follows it, the
//! base's table is written anew, and `.env` gains only the variables it lacks.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::change::draft::Draft;
use crate::change::file_tree::FileTree;
use crate::effects::base::{self, ENV};
use crate::effects::git;
use crate::error::Error;
use crate::resource::generate::MIGRATIONS;
use crate::upgrade::merge::{self, Labels, Merged};

/// What the upgrade knows of the files plinth generated before.
#[derive(Debug)]
pub enum Base {
    /// Their contents (the commit on `refs/plinth/base`, or plinth's folder).
    Recorded(FileTree),
    /// Only their blob ids (`.plinth/base.toml` in a clone, which lacks plinth's ref):
    /// a file still matching its id is known; a changed one cannot be merged from.
    Listed(BTreeMap<PathBuf, String>),
}

/// One file's version in the base.
enum Before<'a> {
    Absent,
    Known(&'a [u8]),
    /// Listed, changed since, and its contents not recorded.
    Unknown,
}

impl Base {
    /// The base's version of a file, given the project's and plinth's new one: a listed
    /// file is known when either has its blob id.
    fn before<'a>(
        &'a self,
        path: &Path,
        yours: Option<&'a [u8]>,
        new: Option<&'a [u8]>,
    ) -> Before<'a> {
        match self {
            Base::Recorded(tree) => tree.get(path).map_or(Before::Absent, Before::Known),
            Base::Listed(ids) => {
                let Some(id) = ids.get(path) else {
                    return Before::Absent;
                };
                let has_id =
                    |contents: &[u8]| git::blob_id(contents).is_ok_and(|other| other == *id);
                match (yours, new) {
                    (Some(yours), _) if has_id(yours) => Before::Known(yours),
                    (_, Some(new)) if has_id(new) => Before::Known(new),
                    _ => Before::Unknown,
                }
            }
        }
    }

    fn paths(&self) -> Vec<PathBuf> {
        match self {
            Base::Recorded(tree) => tree.iter().map(|(path, _)| path.to_path_buf()).collect(),
            Base::Listed(ids) => ids.keys().cloned().collect(),
        }
    }

    /// The base's version of a file, when it is known (see `before`).
    #[must_use]
    pub fn contents<'a>(
        &'a self,
        path: &Path,
        yours: Option<&'a [u8]>,
        new: Option<&'a [u8]>,
    ) -> Option<&'a [u8]> {
        match self.before(path, yours, new) {
            Before::Known(contents) => Some(contents),
            Before::Absent | Before::Unknown => None,
        }
    }
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fate {
    /// The project had plinth's old version: it now has the new one.
    Replaced,
    /// New in this plinth.
    Created,
    /// Changed by both: merged without conflict.
    Merged,
    /// Changed by both where they overlap: written with conflict markers.
    Conflicted,
    /// No longer generated, and the project never changed it.
    Removed,
    /// Deleted by the project and brought back by `--restore`.
    Restored,
    /// Deleted by the project: stays deleted although plinth changed it.
    KeptDeleted,
    /// No longer generated, but the project changed it: kept.
    KeptChanged,
    /// A migration plinth would now write differently: kept, as migrations are.
    KeptMigration,
    /// `.env` gained variables it lacked.
    Extended(Vec<String>),
}

/// The project's files as the upgrade reads and changes them.
pub struct Sides<'a> {
    /// What plinth generated before.
    pub base: &'a Base,
    /// What this plinth generates.
    pub new: &'a FileTree,
    /// The conflict markers' names.
    pub labels: &'a Labels,
    /// Files the project deleted that come back.
    pub restore: &'a [PathBuf],
    /// The `.env` plinth makes for the records before the change, when known, and the
    /// variables it makes anew each time (secrets): `.env` is then merged three ways,
    /// with the project's values of those in both of plinth's versions; otherwise it only
    /// gains the variables it lacks.
    pub env_before: Option<&'a PlinthsEnv>,
}

/// The `.env` plinth makes for a project, and the variables in it that are new at each
/// render (its secrets).
#[derive(Debug, Clone)]
pub struct PlinthsEnv {
    /// The file.
    pub contents: Vec<u8>,
    /// The names of the secrets.
    pub secrets: Vec<String>,
}

/// Brings each plain file of the draft (all but `Cargo.toml`, `Cargo.lock` and the base's
/// table, which the command handles) to the new version as the rules above say, and
/// returns what happened to each file that changed or was kept from changing.
pub fn reconcile(draft: &mut Draft, sides: &Sides<'_>) -> Result<Vec<(PathBuf, Fate)>, Error> {
    let handled_elsewhere = [
        Path::new(crate::change::cargo_toml::MANIFEST),
        Path::new(crate::change::lockfile::LOCK),
        Path::new(base::TABLE),
    ];
    let paths: BTreeSet<PathBuf> = sides
        .base
        .paths()
        .into_iter()
        .chain(sides.new.iter().map(|(path, _)| path.to_path_buf()))
        // `.env` is in no base; merged from plinth's before, it may have to go.
        .chain(sides.env_before.map(|_| PathBuf::from(ENV)))
        .filter(|path| !handled_elsewhere.contains(&path.as_path()))
        .collect();
    // Migrations stay while the project has a database to run them; without one (`db`
    // removed) they go like any file.
    let keeps_migrations = sides.new.paths().any(|path| path.starts_with(MIGRATIONS));
    let mut fates = Vec::new();
    for path in paths {
        let fate = if path == Path::new(ENV) {
            match sides.env_before {
                Some(before) => merge_env(draft, sides, &before.contents, &before.secrets)?,
                None => extend_env(draft, sides.new)?,
            }
        } else {
            let migration = keeps_migrations && path.starts_with(MIGRATIONS);
            reconcile_file(draft, sides, &path, migration)?
        };
        if let Some(fate) = fate {
            fates.push((path, fate));
        }
    }
    Ok(fates)
}

/// One file's fate; `migration`: it is a migration the project keeps whatever happens.
fn reconcile_file(
    draft: &mut Draft,
    sides: &Sides<'_>,
    path: &Path,
    migration: bool,
) -> Result<Option<Fate>, Error> {
    let yours = draft.read(path)?.map(<[u8]>::to_vec);
    let new = sides.new.get(path);
    let before = sides.base.before(path, yours.as_deref(), new);
    if yours.is_none()
        && let Some(new) = new
        && sides.restore.iter().any(|wanted| wanted == path)
    {
        draft.write(path, new)?;
        return Ok(Some(Fate::Restored));
    }
    let fate = match (before, yours.as_deref(), new) {
        // plinth made no change here, or the project has it already.
        (Before::Known(base), _, Some(new)) if base == new => None,
        (_, Some(yours), Some(new)) if yours == new => None,
        (Before::Absent, _, None) | (_, None, None) => None,
        (Before::Absent, None, Some(new)) => {
            draft.write(path, new)?;
            Some(Fate::Created)
        }
        (Before::Known(_) | Before::Unknown, None, Some(_)) => Some(Fate::KeptDeleted),
        (_, Some(_), _) if migration => Some(Fate::KeptMigration),
        (Before::Known(base), Some(yours), None) if base == yours => {
            draft.remove(path)?;
            Some(Fate::Removed)
        }
        (Before::Known(_) | Before::Unknown, Some(_), None) => Some(Fate::KeptChanged),
        (Before::Known(base), Some(yours), Some(new)) if base == yours => {
            draft.write(path, new)?;
            Some(Fate::Replaced)
        }
        (before, Some(yours), Some(new)) => {
            // Without the base's version (a file the project made where plinth now
            // makes one, or one changed in a clone without plinth's ref) the merge is
            // two-way: every difference is the project's or plinth's, and marked.
            let base = match before {
                Before::Known(base) => base,
                Before::Absent | Before::Unknown => &[],
            };
            let merged = merge::three_way(base, yours, new, sides.labels)
                .map_err(|error| Error::Git(error.message().to_owned()))?;
            let merged = merge::settle_marker_insertions(merged, sides.labels);
            draft.write(path, merged.text())?;
            Some(match merged {
                Merged::Clean(_) => Fate::Merged,
                Merged::Conflicted(_) => Fate::Conflicted,
            })
        }
    };
    Ok(fate)
}

/// Merges the project's `.env` three ways between two of plinth's, each given the
/// project's values of the `secrets`.
fn merge_env(
    draft: &mut Draft,
    sides: &Sides<'_>,
    before: &[u8],
    secrets: &[String],
) -> Result<Option<Fate>, Error> {
    let path = Path::new(ENV);
    let Some(yours) = draft.read_text(path)? else {
        return Ok(None);
    };
    let values: BTreeMap<&str, &str> = yours
        .lines()
        .filter_map(setting)
        .filter(|(name, _)| secrets.iter().any(|secret| secret == name))
        .collect();
    let with_yours = |text: &str| -> String {
        text.lines()
            .map(
                |line| match setting(line).and_then(|(name, _)| Some((name, values.get(name)?))) {
                    Some((name, value)) => format!("{name}={value}\n"),
                    None => format!("{line}\n"),
                },
            )
            .collect()
    };
    let before = with_yours(&String::from_utf8_lossy(before));
    let new = sides.new.get(path).map(String::from_utf8_lossy);
    let Some(new) = new.map(|new| with_yours(&new)) else {
        if before == yours {
            draft.remove(path)?;
            return Ok(Some(Fate::Removed));
        }
        return Ok(Some(Fate::KeptChanged));
    };
    if new == yours {
        return Ok(None);
    }
    let merged = merge::three_way(
        before.as_bytes(),
        yours.as_bytes(),
        new.as_bytes(),
        sides.labels,
    )
    .map_err(|error| Error::Git(error.message().to_owned()))?;
    draft.write(path, merged.text())?;
    Ok(Some(match merged {
        Merged::Clean(_) => Fate::Merged,
        Merged::Conflicted(_) => Fate::Conflicted,
    }))
}

/// The variables two renders of `.env` set to different values: the secrets plinth
/// makes anew each time.
#[must_use]
pub fn secrets(one: &[u8], other: &[u8]) -> Vec<String> {
    let other = String::from_utf8_lossy(other);
    String::from_utf8_lossy(one)
        .lines()
        .filter_map(setting)
        .filter(|(name, value)| {
            other
                .lines()
                .filter_map(setting)
                .any(|(other_name, other_value)| other_name == *name && other_value != *value)
        })
        .map(|(name, _)| name.to_owned())
        .collect()
}

/// The variable a `.env` line sets and its value, if it sets one.
fn setting(line: &str) -> Option<(&str, &str)> {
    let name = variable(line)?;
    let (_, value) = line.split_once('=')?;
    Some((name, value))
}

/// Appends to the project's `.env` each variable the new one sets and it lacks (a
/// setting a new version needs), with its new value. A project without `.env` (a clone)
/// gets none: its `.env.example` says what to set.
fn extend_env(draft: &mut Draft, new: &FileTree) -> Result<Option<Fate>, Error> {
    let path = Path::new(ENV);
    let Some(yours) = draft.read_text(path)? else {
        return Ok(None);
    };
    let Some(new) = new.get(path).map(String::from_utf8_lossy) else {
        return Ok(None);
    };
    let present: BTreeSet<&str> = yours.lines().filter_map(variable).collect();
    let missing: Vec<&str> = new
        .lines()
        .filter(|line| variable(line).is_some_and(|name| !present.contains(name)))
        .collect();
    if missing.is_empty() {
        return Ok(None);
    }
    let mut text = yours.clone();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("# Added by plinth upgrade: settings this version reads.\n");
    for line in &missing {
        text.push_str(line);
        text.push('\n');
    }
    draft.write(path, text)?;
    let names = missing
        .iter()
        .filter_map(|line| variable(line))
        .map(str::to_owned)
        .collect();
    Ok(Some(Fate::Extended(names)))
}

/// The variable a `.env` line sets, if it sets one.
fn variable(line: &str) -> Option<&str> {
    let line = line.trim_start();
    if line.starts_with('#') {
        return None;
    }
    let (name, _) = line.split_once('=')?;
    let name = name.trim().trim_start_matches("export ").trim();
    (!name.is_empty()).then_some(name)
}
