//! The errors a user can act on. Each knows its exit code and, where there is
//! a remedy, the `help:` line that names it.

use std::fmt;
use std::path::PathBuf;

use crate::request::names::NameProblem;

/// Exit code for a usage error: bad input, nothing done (as clap uses).
pub const EXIT_USAGE: u8 = 2;
/// Exit code when the user cancelled at a prompt (128 + SIGINT, as shells do).
pub const EXIT_CANCELLED: u8 = 130;
/// Exit code for any other failure.
pub const EXIT_FAILURE: u8 = 1;

/// A change plinth refuses to make, and what to do by hand instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The file concerned.
    pub path: PathBuf,
    /// Why, as a phrase.
    pub reason: String,
    /// The text to paste by hand, where there is one.
    pub by_hand: Option<String>,
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "  conflict  {}: {}", self.path.display(), self.reason)?;
        if let Some(text) = &self.by_hand {
            writeln!(f)?;
            for line in text.lines() {
                write!(f, "\n    {line}")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

/// Everything that can stop a plinth command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The project name breaks a naming rule.
    #[error("invalid project name `{}`: it {}", .0.name, .0.reason)]
    InvalidName(NameProblem),

    /// The project path has no usable last component (`..`, `/`).
    #[error("`{}` does not end in a project name", .0.display())]
    NoNameInPath(PathBuf),

    /// The target folder exists and holds files.
    #[error("destination `{}` already exists and is not empty", .0.display())]
    TargetNotEmpty(PathBuf),

    /// The target exists and is a file.
    #[error("destination `{}` already exists and is not a folder", .0.display())]
    TargetIsFile(PathBuf),

    /// An answer is needed but there is no terminal to ask on.
    #[error("{question}, but there is no terminal to ask on")]
    NoTerminal {
        /// What could not be asked, as a phrase ("no --style given").
        question: String,
        /// The flags that answer it.
        flags: String,
    },

    /// The user pressed Esc or Ctrl-C at a prompt.
    #[error("cancelled; nothing was written")]
    Cancelled,

    /// A prompt failed for a reason other than cancelling.
    #[error("could not ask: {0}")]
    Prompt(String),

    /// A template could not be rendered (a defect in plinth itself).
    #[error("template `{file}` failed to render: {reason}")]
    Template {
        /// The template's path inside plinth's template tree.
        file: String,
        /// What handlebars reported.
        reason: String,
    },

    /// `PLINTH_TEMPLATES` names a folder that cannot be read.
    #[error("cannot read the templates at `{}`: {reason}", folder.display())]
    TemplateFolder {
        /// The folder, or the file in it, that failed.
        folder: PathBuf,
        /// What the system said.
        reason: String,
        /// The variable that named the folder.
        variable: &'static str,
    },

    /// A feature name that is not in the catalogue.
    #[error("unknown feature `{name}`")]
    UnknownFeature {
        /// The name given.
        name: String,
        /// The features there are, for the help line.
        known: String,
    },

    /// `--without` names a feature that cannot be left out.
    #[error("cannot leave out `{feature}`: {reason}")]
    CannotLeaveOut {
        /// The feature named after `--without`.
        feature: String,
        /// Why it must stay.
        reason: String,
        /// What to do instead.
        remedy: String,
    },

    /// `plinth remove` names what cannot be removed.
    #[error("cannot remove `{what}`: {reason}")]
    CannotRemove {
        /// The feature or resource.
        what: String,
        /// Why it must stay.
        reason: String,
        /// What to do instead.
        remedy: String,
    },

    /// A resource name or field that cannot be generated.
    #[error("{problem}")]
    BadResource {
        /// What is wrong, as a sentence.
        problem: String,
        /// What to type instead.
        help: String,
    },

    /// The resource is in the project already, and differs from what was asked.
    #[error("the project has a resource `{0}` already")]
    ResourceExists(String),

    /// `plinth add resource` needs features the project lacks, and may not add them.
    #[error("a resource needs {description}, which this project does not have")]
    NeedsFeatures {
        /// The feature and what it brings, as a phrase.
        description: String,
        /// The feature to add.
        feature: String,
    },

    /// No plinth project at or above the folder.
    #[error("`{}` is not inside a plinth project (no Cargo.toml with [package.metadata.plinth] here or above)", .0.display())]
    NotAProject(PathBuf),

    /// The project's Cargo.toml could not be read as a plinth project.
    #[error("`{}` is not a valid plinth manifest: {reason}", .path.display())]
    BadManifest {
        /// The Cargo.toml.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },

    /// The project's Cargo.lock could not be read.
    #[error("`Cargo.lock` cannot be read: {0}")]
    BadLock(String),

    /// The database choice conflicts with what the project already uses.
    #[error(
        "the project already uses {installed}; it cannot switch to {requested} with `plinth add`"
    )]
    DatabaseMismatch {
        /// The database in the project's metadata.
        installed: String,
        /// The database asked for.
        requested: String,
    },

    /// Some changes cannot be made safely; nothing was changed.
    #[error("{} change(s) cannot be made safely; nothing was changed\n{}", .0.len(), render_conflicts(.0))]
    Conflicts(Vec<Conflict>),

    /// The change does not fit the code plinth generated for the project: an older plinth
    /// generated it, and `plinth upgrade` brings what the change expects.
    #[error("{} change(s) do not fit the code an older plinth generated; nothing was changed\n{}", .0.len(), render_conflicts(.0))]
    Outdated(Vec<Conflict>),

    /// `plinth upgrade` on a work tree with uncommitted changes.
    #[error("the project has uncommitted changes: {}", list_paths(.0))]
    Uncommitted(Vec<PathBuf>),

    /// `plinth upgrade` on a project with no record of what plinth generated.
    #[error("the project has no base: plinth has no record of the files it generated for it")]
    NoBase {
        /// The ref a clone may fetch it from.
        base_ref: &'static str,
    },

    /// `plinth upgrade` wrote conflict markers.
    #[error("{} file(s) have conflicts to resolve: {}", .0.len(), list_paths(.0))]
    UpgradeConflicts(Vec<PathBuf>),

    /// `plinth upgrade --check` found an upgrade to make.
    #[error("an upgrade would change {0} file(s)")]
    UpgradeAvailable(usize),

    /// `plinth upgrade --verify`: the upgraded project does not check.
    #[error("the upgraded project does not build; nothing was changed\n{0}")]
    VerifyFailed(String),

    /// The operating system gave no random bytes for the secret key.
    #[error("could not get random bytes for the secret key: {0}")]
    Random(String),

    /// The first commit of a new project failed; nothing was left behind.
    #[error("could not create the git repository: {0}; nothing was written")]
    Git(String),

    /// Writing the project failed; everything written so far was removed.
    #[error("could not write `{}`: {source}", .path.display())]
    Write {
        /// The file or folder being written.
        path: PathBuf,
        /// The underlying failure.
        source: std::io::Error,
    },
}

impl Error {
    /// The process exit code for this error.
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::InvalidName(_)
            | Error::NoNameInPath(_)
            | Error::TargetNotEmpty(_)
            | Error::TargetIsFile(_)
            | Error::NoTerminal { .. }
            | Error::UnknownFeature { .. }
            | Error::CannotLeaveOut { .. }
            | Error::CannotRemove { .. }
            | Error::BadResource { .. }
            | Error::ResourceExists(_)
            | Error::NeedsFeatures { .. }
            | Error::NotAProject(_)
            | Error::DatabaseMismatch { .. } => EXIT_USAGE,
            Error::Cancelled => EXIT_CANCELLED,
            Error::Prompt(_)
            | Error::Template { .. }
            | Error::TemplateFolder { .. }
            | Error::Write { .. }
            | Error::BadManifest { .. }
            | Error::BadLock(_)
            | Error::Random(_)
            | Error::Git(_)
            | Error::Uncommitted(_)
            | Error::NoBase { .. }
            | Error::UpgradeConflicts(_)
            | Error::UpgradeAvailable(_)
            | Error::VerifyFailed(_)
            | Error::Conflicts(_)
            | Error::Outdated(_) => EXIT_FAILURE,
        }
    }

    /// The remedy, when there is one.
    #[must_use]
    pub fn help(&self) -> Option<String> {
        match self {
            Error::InvalidName(problem) => Some(format!("try `{}`", problem.suggestion)),
            Error::NoNameInPath(_) => {
                Some("give a path whose last part is the name, e.g. `apps/blog`".to_owned())
            }
            Error::TargetNotEmpty(_) | Error::TargetIsFile(_) => {
                Some("choose another name, or remove what is there first".to_owned())
            }
            Error::NoTerminal { flags, .. } => Some(format!("pass {flags}")),
            Error::Template { .. } => Some("this is a bug in plinth; please report it".to_owned()),
            Error::TemplateFolder { variable, .. } => Some(format!(
                "unset {variable} to use the templates built into plinth, or point it at a folder laid out as plinth's `templates/`"
            )),
            Error::UnknownFeature { known, .. } => Some(format!(
                "the features are: {known} (see `plinth features`)"
            )),
            Error::CannotLeaveOut { remedy, .. } | Error::CannotRemove { remedy, .. } => {
                Some(remedy.clone())
            }
            Error::BadResource { help, .. } => Some(help.clone()),
            Error::ResourceExists(name) => Some(format!(
                "choose another name, or remove `src/{name}/` and its migration (and its lines at the `plinth:` markers) first"
            )),
            Error::NeedsFeatures { feature, .. } => Some(format!(
                "run `plinth add {feature}` first, or pass --yes to add it now"
            )),
            Error::NotAProject(_) => Some(
                "run this inside a project made by `plinth new`, or point at one with `--path DIR`"
                    .to_owned(),
            ),
            Error::Conflicts(_) => Some(
                "resolve each conflict above (move the file away, or make the edit by hand as shown), then run the command again"
                    .to_owned(),
            ),
            Error::Outdated(_) => Some(
                "run `plinth upgrade` first (`--dry-run` shows what it changes), then run this command again"
                    .to_owned(),
            ),
            Error::DatabaseMismatch { .. } => {
                Some("drop --db to keep the project's database".to_owned())
            }
            Error::BadLock(_) => Some(
                "fix Cargo.lock (a merge left in it, perhaps), or delete it: plinth then writes the versions it was tested with"
                    .to_owned(),
            ),
            Error::Git(_) => Some(
                "fix what git reported (disk space, permissions), or pass --no-git to make the project without a repository"
                    .to_owned(),
            ),
            Error::Uncommitted(_) => Some(
                "commit or stash them first: the upgrade's changes are then yours to review with `git diff`, and to undo"
                    .to_owned(),
            ),
            Error::NoBase { base_ref } => Some(format!(
                "a project made by plinth before it kept one, or a copy without `.plinth/`: make a new project with the same options and resources, and compare (clones keep plinth's ref only when fetched: `git fetch origin {base_ref}:{base_ref}`)"
            )),
            Error::UpgradeConflicts(_) => Some(
                "edit each file where `<<<<<<< your project` marks a conflict: keep what you want of each side, remove the markers, then `cargo check` and commit"
                    .to_owned(),
            ),
            Error::UpgradeAvailable(_) => {
                Some("run `plinth upgrade` (`--dry-run` shows the changes)".to_owned())
            }
            Error::VerifyFailed(_) => Some(
                "run `plinth upgrade --dry-run` to see the changes, or upgrade without --verify and fix what cargo reports"
                    .to_owned(),
            ),
            Error::Cancelled
            | Error::Prompt(_)
            | Error::Write { .. }
            | Error::Random(_)
            | Error::BadManifest { .. } => None,
        }
    }
}

fn list_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|path| format!("`{}`", path.display()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn render_conflicts(conflicts: &[Conflict]) -> String {
    conflicts
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}
