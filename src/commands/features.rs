//! `plinth features`: the catalogue, and what the current project has.

use std::io::Write;

use crate::cli::FeaturesArgs;
use crate::error::Error;
use crate::features::catalogue::CATALOGUE;

/// Prints the catalogue; marks installed features when run in a project.
pub fn run(args: &FeaturesArgs) -> Result<(), Error> {
    let project = match super::open_project(args.path.as_deref()) {
        Ok(project) => Some(project),
        Err(Error::NotAProject(_)) if args.path.is_none() => None,
        Err(error) => return Err(error),
    };
    let mut out = std::io::stdout().lock();
    if let Some(project) = &project {
        let _ = writeln!(
            out,
            "Features of `{}` ({} style):\n",
            project.metadata.name,
            project.metadata.style.as_str()
        );
    } else {
        let _ = writeln!(out, "Features `plinth add` offers:\n");
    }
    for feature in CATALOGUE {
        let mark = match &project {
            Some(project) if project.metadata.features.iter().any(|id| id == feature.id) => {
                "installed  "
            }
            Some(_) => "-          ",
            None => "",
        };
        let _ = writeln!(out, "  {mark}{:<10} {}", feature.id, feature.summary);
        if !feature.requires.is_empty() {
            let _ = writeln!(
                out,
                "  {:width$}requires: {}",
                "",
                feature.requires.join(", "),
                width = mark.len() + 11
            );
        }
    }
    let _ = writeln!(
        out,
        "\nAdd one with `plinth add FEATURE`; what it requires comes along."
    );
    Ok(())
}
