//! The command-line interface as clap types. No logic lives here: each
//! command's arguments are handed to a function in `commands`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::request::spec::{Database, Style};

const EXAMPLES: &str = "\
Examples:
  plinth new blog --style micro       one small file that serves
  plinth new shop --style full        database, accounts, admin, CLI
  plinth new shop --style full --db postgres --without docker,ci
  plinth new apps/shop --yes          NAME may be a path, as with `cargo new`
  plinth new blog --dry-run           show the files, write nothing
  plinth new blog --with db,templates micro plus features
  plinth add templates static         grow an existing project
  plinth add db --dry-run             show the diff, change nothing
  plinth add resource Post title:string body:text --api
                                      a model with pages, API and admin
  plinth upgrade --dry-run            this plinth's fixes, merged with your changes
  plinth remove docker                take a feature out again
  plinth features                     the catalogue
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
    /// Add features to an existing project.
    Add(AddArgs),
    /// Bring the project's generated code up to this plinth, keeping your changes.
    Upgrade(UpgradeArgs),
    /// Take features or a resource out of the project, keeping your changes elsewhere.
    Remove(RemoveArgs),
    /// List the features `plinth add` offers, and which are installed here.
    Features(FeaturesArgs),
    /// Print shell completions for plinth.
    Completions(CompletionsArgs),
}

/// Arguments of `plinth new`.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  plinth new blog --style micro
  plinth new apps/blog --style micro --no-git
  plinth new shop --style full --db postgres
  plinth new shop --style full --without admin,docker
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
    /// Features to add right away (comma-separated), as `plinth add` would.
    #[arg(long, value_name = "FEATURE,...", value_delimiter = ',')]
    pub with: Vec<String>,
    /// Optional batteries to leave out of a full project: admin, mail, jobs, docker, ci.
    #[arg(long, value_name = "FEATURE,...", value_delimiter = ',')]
    pub without: Vec<String>,
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

/// The options of every command that changes a project: which project, and whether to
/// show the change or ask before it.
#[derive(Debug, Args)]
pub struct Changing {
    /// The project to change (default: the one containing the current folder).
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,
    /// Show what would change, with diffs, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// Arguments of `plinth add`.
#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    disable_help_subcommand = true,
    subcommand_negates_reqs = true,
    after_help = "\
Examples:
  plinth add templates static
  plinth add db --db postgres
  plinth add ci --path ../blog --dry-run
  plinth add resource Post title:string body:text published:bool --api"
)]
pub struct AddArgs {
    /// `plinth add resource ...`.
    #[command(subcommand)]
    pub resource: Option<AddCommand>,
    /// Features to add (see `plinth features`); required ones come along.
    #[arg(required = true, value_name = "FEATURE", value_delimiter = ',')]
    pub features: Vec<String>,
    /// Database for the `db` feature (default: the one the project records).
    #[arg(long, value_enum)]
    pub db: Option<Database>,
    /// Which project, and whether to show or ask.
    #[command(flatten)]
    pub change: Changing,
}

/// Arguments of `plinth upgrade`.
#[derive(Debug, Args)]
#[command(after_help = "\
Each file plinth generated is brought to what this plinth generates for the same
project: replaced where you never changed it, merged three ways where you did
(conflicts marked `<<<<<<< your project`), left deleted where you deleted it.
Cargo.toml is merged by its keys; migrations are never rewritten.

Examples:
  plinth upgrade --dry-run      show every change, write nothing
  plinth upgrade --check        exit 1 when an upgrade is waiting (for CI)
  plinth upgrade --verify       `cargo check` the result in a copy first
  plinth upgrade --restore src/csrf.rs")]
// Each bool is a flag of its own on the command line, as clap reads them.
#[allow(clippy::struct_excessive_bools)]
pub struct UpgradeArgs {
    /// The project to upgrade (default: the one containing the current folder).
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,
    /// Show what would change, with diffs, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Change nothing; exit 1 when an upgrade would change something.
    #[arg(long, conflicts_with = "dry_run")]
    pub check: bool,
    /// Build the upgraded project (`cargo check`) in a copy before writing anything.
    #[arg(long)]
    pub verify: bool,
    /// Bring back a generated file you deleted (may be given more than once).
    #[arg(long, value_name = "FILE")]
    pub restore: Vec<PathBuf>,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// Arguments of `plinth remove`.
#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    disable_help_subcommand = true,
    subcommand_negates_reqs = true,
    after_help = "\
What the features (or the resource) added is taken away where you left it as plinth
made it, and merged away where you changed it (conflicts marked `<<<<<<< your
project`). A resource's table is dropped by a new migration; its first stays.

Examples:
  plinth remove docker ci
  plinth remove admin --dry-run
  plinth remove resource Post"
)]
pub struct RemoveArgs {
    /// `plinth remove resource NAME`.
    #[command(subcommand)]
    pub resource: Option<RemoveCommand>,
    /// Features to remove (see `plinth features`).
    #[arg(required = true, value_name = "FEATURE", value_delimiter = ',')]
    pub features: Vec<String>,
    /// Which project, and whether to show or ask.
    #[command(flatten)]
    pub change: Changing,
}

/// What `plinth remove` can remove besides features.
#[derive(Debug, Subcommand)]
pub enum RemoveCommand {
    /// A resource made by `plinth add resource`: its code, pages, API and admin entry.
    Resource(RemoveResourceArgs),
}

/// Arguments of `plinth remove resource`.
#[derive(Debug, Args)]
pub struct RemoveResourceArgs {
    /// The resource, as it was named or by its table: `Post`, `posts`.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// Which project, and whether to show or ask.
    #[command(flatten)]
    pub change: Changing,
}

/// What `plinth add` can add besides features.
#[derive(Debug, Subcommand)]
pub enum AddCommand {
    /// A model with its table, pages, JSON API (--api), admin registration and tests.
    Resource(ResourceArgs),
}

/// Arguments of `plinth add resource`.
#[derive(Debug, Args)]
#[command(after_help = "\
Field types: string, text, int, bigint, float, bool, date, datetime, uuid, money,
ref(TABLE) or ref:TABLE (a row of another table: `users` or a resource made
earlier; quote `ref(...)` in a shell).
Add `?` for optional and `^` for unique: `score:int?`, `slug:string^`.

Examples:
  plinth add resource Post title:string body:text published:bool score:int?
  plinth add resource Comment body:text post:ref:posts author:ref:users --api
  plinth add resource Category name:string^ parent:ref:categories? --dry-run")]
// Each bool is a flag of its own on the command line, as clap reads them.
#[allow(clippy::struct_excessive_bools)]
pub struct ResourceArgs {
    /// What one row is, singular or plural, in any case: `Post`, `blog_posts`.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// Its fields, as NAME:TYPE (see below).
    #[arg(required = true, value_name = "FIELD")]
    pub fields: Vec<String>,
    /// Add a JSON API under /api/NAME.
    #[arg(long)]
    pub api: bool,
    /// Each row belongs to the user who adds it: only they (and staff) may change or
    /// delete it, and lists can show "mine".
    #[arg(long)]
    pub owned: bool,
    /// Which project, and whether to show or ask (`--yes` also adds the features a
    /// resource needs when missing).
    #[command(flatten)]
    pub change: Changing,
}

/// Arguments of `plinth features`.
#[derive(Debug, Args)]
pub struct FeaturesArgs {
    /// The project whose installed features to show (default: the current one).
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,
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
