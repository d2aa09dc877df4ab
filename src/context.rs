//! The data templates see. Everything a template may mention is set here
//! explicitly (handlebars runs in strict mode), so a typo in a template is an
//! error at render time, never a silently empty string.

use serde_json::{Value, json};

use crate::project::Metadata;
use crate::spec::{Database, ProjectSpec, Style};

/// The version of plinth, recorded in every project it touches.
pub const PLINTH_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The template context for a new project.
#[must_use]
pub fn for_spec(spec: &ProjectSpec) -> Value {
    base(spec.name.as_str(), spec.style, spec.db)
}

/// The template context for an existing project, from its metadata.
#[must_use]
pub fn for_project(metadata: &Metadata, db: Database) -> Value {
    base(&metadata.name, metadata.style, db)
}

fn base(name: &str, style: Style, db: Database) -> Value {
    json!({
        "name": name,
        "crate_name": name.replace('-', "_"),
        "plinth_version": PLINTH_VERSION,
        "style": style.as_str(),
        "db": db.as_str(),
        "sqlite": db == Database::Sqlite,
        "postgres": db == Database::Postgres,
    })
}
