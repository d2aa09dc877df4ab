//! The management commands (Django's `manage.py`): `cargo run` serves, and
//! `cargo run -- COMMAND` runs one of the others. `cargo run -- help` lists them.

use std::error::Error;
use std::io::{self, IsTerminal};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing::Level;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

use crate::config::Config;
use crate::{AppState, checks, server};

/// The site's server and management commands.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// What to do; without a command, serve.
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the site (the default).
    Serve,
    /// Check that the app can run here: settings, templates, database, migrations.
    Check {
        /// Also check that the settings are safe to face the public; exits non-zero
        /// and names each problem otherwise.
        #[arg(long)]
        deploy: bool,
    },
    // plinth:commands
}

/// Runs the command line; `main` returns what this returns.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Box::<dyn Error>::from)
        .and_then(|runtime| runtime.block_on(run(cli.command.unwrap_or(Command::Serve))));
    match outcome {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<ExitCode, Box<dyn Error>> {
    let config = Config::from_env()?;
    init_logging(&config);
    // `check` reports what would stop the state from building, so it runs without one.
    if let Command::Check { deploy } = command {
        return Ok(check(&config, deploy).await);
    }
    let state = AppState::new(config).await?;
    match command {
        Command::Serve => {
            // plinth:serve
            server::serve(state).await?;
        }
        Command::Check { .. } => {}
        // plinth:run-command
    }
    Ok(ExitCode::SUCCESS)
}

/// `check [--deploy]`: prints each problem and fails when there is one.
async fn check(config: &Config, deploy: bool) -> ExitCode {
    let mut problems = checks::runtime(config).await;
    if deploy {
        problems.extend(checks::deploy(config));
    }
    if problems.is_empty() {
        println!("System check identified no issues.");
        return ExitCode::SUCCESS;
    }
    for problem in &problems {
        eprintln!("{problem}");
    }
    eprintln!("System check identified {} issue(s).", problems.len());
    ExitCode::FAILURE
}

/// Logs to the terminal; `RUST_LOG` takes comma-separated `target=level` directives,
/// e.g. `info,tower_http=debug`.
fn init_logging(config: &Config) {
    let filter = config
        .log_filter
        .as_deref()
        .and_then(|directives| directives.parse::<Targets>().ok())
        .unwrap_or_else(|| default_log_filter(config));
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_ansi(io::stdout().is_terminal()))
        .with(filter)
        .init();
}

/// What is logged when `RUST_LOG` is unset: everything at `info`, but production leaves
/// out the line per request (as gunicorn does; the proxy in front of the site logs
/// requests), which would cost a tenth of the throughput. `RUST_LOG=info` brings it back.
fn default_log_filter(config: &Config) -> Targets {
    let filter = Targets::new().with_default(Level::INFO);
    if config.is_production() {
        filter.with_target("tower_http::trace", Level::WARN)
    } else {
        filter
    }
}

#[cfg(test)]
mod tests {
    use tracing::Level;

    use super::default_log_filter;
    use crate::config::tests::{config, production};

    /// The target of tower-http's line per request.
    const ACCESS_LOG: &str = "tower_http::trace::on_response";

    #[test]
    fn development_logs_each_request() {
        let filter = default_log_filter(&config(&[]));
        assert!(filter.would_enable(ACCESS_LOG, &Level::INFO));
        assert!(filter.would_enable(env!("CARGO_CRATE_NAME"), &Level::INFO));
    }

    #[test]
    fn production_leaves_out_the_line_per_request_but_not_warnings() {
        let filter = default_log_filter(&production());
        assert!(!filter.would_enable(ACCESS_LOG, &Level::INFO));
        assert!(filter.would_enable(ACCESS_LOG, &Level::WARN));
        assert!(filter.would_enable(env!("CARGO_CRATE_NAME"), &Level::INFO));
    }
}
