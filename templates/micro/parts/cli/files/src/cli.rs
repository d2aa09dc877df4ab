//! The management commands: `cargo run` serves, `cargo run -- COMMAND` runs one of these
//! instead, and `cargo run -- --help` lists them. `plinth add` inserts each feature's
//! commands at the `plinth:` comments.

use std::error::Error;

use clap::{Parser, Subcommand};

use crate::AppState;

/// The app's server and management commands.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// What to do; without a command, serve.
    #[command(subcommand)]
    command: Option<Command>,
}

/// A management command.
#[derive(Debug, Subcommand)]
pub enum Command {
    // plinth:commands
}

/// The command named on the command line, if any. `--help`, `--version` and mistakes
/// end the process here, with clap's message.
pub fn command() -> Option<Command> {
    Cli::parse().command
}

impl Command {
    /// Runs the command against the app's state.
    pub async fn run(self, state: AppState) -> Result<(), Box<dyn Error>> {
        match self {
            // plinth:run-command
        }
        Ok(())
    }
}
