//! plinth generates ready-to-run Rust web projects.
//!
//! The pipeline, for every command: arguments → (prompts) → a validated
//! spec → every file computed in memory → written all at once → git. The folders
//! follow it: `request` (names, spec), `render` (templates and their data),
//! `features` and `resource` (what is installed), `change` (the draft, plan and
//! edits in memory), `effects` (writing, git, prompts and output).

pub mod change;
pub mod cli;
pub mod commands;
pub mod effects;
pub mod error;
pub mod features;
pub mod project;
pub mod render;
pub mod request;
pub mod resource;
pub mod upgrade;

/// The version of plinth, recorded in every project it touches.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

use cli::{Cli, Command};
pub use error::Error;

/// Runs one plinth command.
pub fn run(cli: Cli) -> Result<(), Error> {
    render::template::check()?;
    match cli.command {
        Command::New(args) => commands::new::run(&args),
        Command::Add(args) => match &args.resource {
            Some(cli::AddCommand::Resource(resource)) => commands::add_resource::run(resource),
            None => commands::add::run(&args),
        },
        Command::Upgrade(args) => commands::upgrade::run(&args),
        Command::Remove(args) => match &args.resource {
            Some(cli::RemoveCommand::Resource(resource)) => {
                commands::remove::run_resource(resource)
            }
            None => commands::remove::run(&args),
        },
        Command::Features(args) => commands::features::run(&args),
        Command::Completions(args) => {
            commands::completions::run(args.shell);
            Ok(())
        }
    }
}
