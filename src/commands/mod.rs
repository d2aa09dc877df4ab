//! One module per subcommand. Each takes its clap arguments, turns them into
//! plain data and calls into the library. `replay` renders a project again from what it
//! records of itself, which `upgrade` merges into it.

pub mod add;
pub mod add_resource;
pub mod completions;
pub mod features;
pub mod new;
pub mod rebuild;
pub mod remove;
pub mod replay;
pub mod upgrade;

use std::path::Path;

use crate::effects::report;
use crate::error::Error;
use crate::features::catalogue;
use crate::project::{self, Project};

/// The project a command works on (`--path DIR`, or the one holding the current folder),
/// with what it records closed under the features' requirements.
pub fn open_project(path: Option<&Path>) -> Result<Project, Error> {
    let mut project = project::named(path)?;
    let closed = catalogue::with_requirements(&project.metadata.features);
    let assumed: Vec<&str> = closed
        .iter()
        .filter(|id| !project.metadata.features.contains(id))
        .map(String::as_str)
        .collect();
    if !assumed.is_empty() {
        report::note(format!(
            "this project was made before its features required {}: counted as installed, its code arrives with `plinth upgrade`",
            assumed.join(", ")
        ));
    }
    project.metadata.features = closed;
    Ok(project)
}
