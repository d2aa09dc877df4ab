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

use crate::error::Error;
use crate::features::catalogue;
use crate::project::{self, Project};

/// The project a command works on (`--path DIR`, or the one holding the current folder),
/// with what it records closed under the features' requirements.
pub fn open_project(path: Option<&Path>) -> Result<Project, Error> {
    let mut project = project::named(path)?;
    project.metadata.features = catalogue::with_requirements(&project.metadata.features);
    Ok(project)
}
