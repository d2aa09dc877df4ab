//! The command-line interface as clap types. No logic lives here: each
//! command's arguments are handed to a function in `commands`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::spec::{Database, Style};

const EXAMPLES: &str = "\
Examples:
  plinth new blog --style micro       one small file that serves
  plinth new apps/shop --yes          NAME may be a path, as with `cargo new`
  plinth new blog --dry-run           show the files, write nothing
  plinth completions zsh > _plinth    shell completions";

/// Generate ready-to-run Rust web projects.
#[derive(Debug, Parser)]
#[command(name = "plinth", version, about, after_help = EXAMPLES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new web project.
    New(NewArgs),
    /// Print shell completions for plinth.
    Completions(CompletionsArgs),
}

/// Arguments of `plinth new`.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  plinth new blog --style micro
  plinth new apps/blog --style micro --no-git
  plinth new blog --yes --dry-run")]
pub struct NewArgs {
    /// Project folder to create; its last component is the package name.
    #[arg(value_name = "NAME")]
    pub path: PathBuf,
    /// Project layout (asked at a terminal when not given).
    #[arg(long, value_enum)]
    pub style: Option<Style>,
    /// Database the project will use when it gets one.
    #[arg(long, value_enum, default_value_t = Database::Sqlite)]
    pub db: Database,
    /// Do not create a git repository.
    #[arg(long)]
    pub no_git: bool,
    /// Take the default for every question instead of asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Show the files that would be written, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Arguments of `plinth completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to print completions for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
