//! plinth generates ready-to-run Rust web projects.
//!
//! The pipeline, for every command: arguments → (prompts) → a validated
//! spec → every file computed in memory → written all at once → git.

pub mod cargo_toml;
pub mod catalogue;
pub mod cli;
pub mod commands;
pub mod compile;
pub mod context;
pub mod draft;
pub mod edit;
pub mod error;
pub mod files;
pub mod git;
pub mod install;
pub mod names;
pub mod plan;
pub mod project;
pub mod prompt;
pub mod recipe;
pub mod report;
pub mod resource;
pub mod rustfmt;
pub mod spec;
pub mod template;
pub mod write;

use cli::{Cli, Command};
pub use error::Error;

/// Runs one plinth command.
pub fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::New(args) => commands::new::run(&args),
        Command::Add(args) => match &args.resource {
            Some(cli::AddCommand::Resource(resource)) => commands::add_resource::run(resource),
            None => commands::add::run(&args),
        },
        Command::Features(args) => commands::features::run(&args),
        Command::Completions(args) => {
            commands::completions::run(args.shell);
            Ok(())
        }
    }
}
