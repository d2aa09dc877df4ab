//! The errors a user can act on. Each knows its exit code and, where there is
//! a remedy, the `help:` line that names it.

use std::path::PathBuf;

use crate::names::NameProblem;

/// Exit code for a usage error: bad input, nothing done (as clap uses).
pub const EXIT_USAGE: u8 = 2;
/// Exit code when the user cancelled at a prompt (128 + SIGINT, as shells do).
pub const EXIT_CANCELLED: u8 = 130;
/// Exit code for any other failure.
pub const EXIT_FAILURE: u8 = 1;

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
            | Error::NoTerminal { .. } => EXIT_USAGE,
            Error::Cancelled => EXIT_CANCELLED,
            Error::Prompt(_) | Error::Template { .. } | Error::Write { .. } => EXIT_FAILURE,
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
            Error::Cancelled | Error::Prompt(_) | Error::Write { .. } => None,
        }
    }
}
