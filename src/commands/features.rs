//! `plinth features`: the catalogue, and what the current project has.

use std::io::Write;
use std::path::PathBuf;

use crate::catalogue::CATALOGUE;
use crate::cli::FeaturesArgs;
use crate::error::Error;
use crate::project;

/// Prints the catalogue; marks installed features when run in a project.
pub fn run(args: &FeaturesArgs) -> Result<(), Error> {
    let start = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let installed = match project::locate(&start) {
        Ok(project) => Some(project.metadata.features),
        Err(Error::NotAProject(_)) if args.path.is_none() => None,
        Err(error) => return Err(error),
    };
    let mut out = std::io::stdout().lock();
    for feature in CATALOGUE {
        let mark = match &installed {
            Some(ids) if ids.iter().any(|id| id == feature.id) => "installed",
            Some(_) => "-",
            None => "",
        };
        let requires = if feature.requires.is_empty() {
            "-".to_owned()
        } else {
            feature.requires.join(", ")
        };
        let _ = writeln!(
            out,
            "{:<10} {:<10} requires: {:<24} {}",
            feature.id, mark, requires, feature.summary
        );
    }
    if installed.is_none() {
        let _ = writeln!(
            out,
            "\n(not inside a plinth project: run `plinth features` in one to see what it has)"
        );
    }
    Ok(())
}
