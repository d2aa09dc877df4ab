//! `plinth completions SHELL`: prints a completion script for the shell.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

/// Writes the completion script for `shell` to stdout.
pub fn run(shell: Shell) {
    clap_complete::generate(shell, &mut Cli::command(), "plinth", &mut std::io::stdout());
}
