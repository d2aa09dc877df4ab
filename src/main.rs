//! The `plinth` binary: parses the command line and hands it to the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = plinth::cli::Cli::parse();
    match plinth::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            plinth::effects::report::error(&error);
            ExitCode::from(error.exit_code())
        }
    }
}
