//! `ProjectSpec`: everything plinth needs to know to generate a project,
//! validated, so that nothing past this point can be surprised by input.

use std::path::PathBuf;

use clap::ValueEnum;

use crate::request::names::ProjectName;

/// The project layouts plinth generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum)]
pub enum Style {
    /// One small file that serves, builds in seconds and grows with `plinth add`.
    Micro,
    /// The batteries: database, accounts, admin, forms, a management CLI, tests.
    Full,
}

impl Style {
    /// Every style, in the order the interactive choice lists them.
    pub const ALL: [Style; 2] = [Style::Micro, Style::Full];

    /// The name used on the command line and in `[package.metadata.plinth]`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Style::Micro => "micro",
            Style::Full => "full",
        }
    }

    /// One line for the interactive choice.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Style::Micro => "micro: one small file that serves and grows with `plinth add`",
            Style::Full => {
                "full: database, accounts, admin, CSRF-safe forms, templates and a management CLI"
            }
        }
    }
}

/// The databases a generated project can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Database {
    /// An embedded SQLite file: nothing to install or run.
    Sqlite,
    /// A PostgreSQL server, for several app processes sharing one database.
    Postgres,
}

impl Database {
    /// The name used on the command line and in `[package.metadata.plinth]`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Database::Sqlite => "sqlite",
            Database::Postgres => "postgres",
        }
    }
}

/// A validated request to generate one project.
#[derive(Debug, Clone)]
pub struct ProjectSpec {
    /// The package name, taken from the last component of `target`.
    pub name: ProjectName,
    /// Where the project is written; must not exist or be an empty folder.
    pub target: PathBuf,
    /// The layout.
    pub style: Style,
    /// The database the project uses (recorded even before `db` is added).
    pub db: Database,
    /// Whether to create a git repository with a first commit.
    pub git: bool,
}
